package neo4j

// For the external tests: the doc property's codec.
var (
	EncodeDoc = encodeDoc
	DecodeDoc = decodeDoc
)
