module github.com/sbomgraph/sbomgraph

go 1.26.8

require github.com/package-url/packageurl-go v0.1.7 // indirect
