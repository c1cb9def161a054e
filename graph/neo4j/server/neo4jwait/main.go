// Command neo4jwait helps neo4j.sh run a local Neo4j server: it picks a free loopback port,
// and it waits until a server answers Cypher over Bolt.
//
//	neo4jwait -freeport
//	SBOMGRAPH_NEO4J_PASSWORD=… neo4jwait -uri bolt://127.0.0.1:7687 -user neo4j -pid 1234 -timeout 2m
//
// With -freeport it prints a TCP port on 127.0.0.1 that nothing listens on. Otherwise it
// connects to -uri as -user (the password comes from SBOMGRAPH_NEO4J_PASSWORD, so it never
// shows in a process list) and runs `RETURN 1` on the default database until that succeeds,
// which means Bolt answers, the credentials work and the database is online. It exits 0 then,
// and 1 when -timeout passes first, or at once when the process -pid (the server) has exited.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"net"
	"os"
	"syscall"
	"time"

	"github.com/neo4j/neo4j-go-driver/v5/neo4j"
	"github.com/neo4j/neo4j-go-driver/v5/neo4j/config"
)

func main() {
	freeport := flag.Bool("freeport", false, "print a free TCP port on 127.0.0.1 and exit")
	uri := flag.String("uri", "", "Bolt URI of the server, e.g. bolt://127.0.0.1:7687")
	user := flag.String("user", "neo4j", "user name")
	pid := flag.Int("pid", 0, "process id of the server: give up as soon as it has exited")
	timeout := flag.Duration("timeout", 2*time.Minute, "how long to wait")
	flag.Parse()
	if *freeport {
		port, err := freePort()
		if err != nil {
			fmt.Fprintln(os.Stderr, "neo4jwait:", err)
			os.Exit(1)
		}
		fmt.Println(port)
		return
	}
	if *uri == "" {
		fmt.Fprintln(os.Stderr, "neo4jwait: -uri is required")
		os.Exit(2)
	}
	start := time.Now()
	if err := wait(*uri, *user, os.Getenv("SBOMGRAPH_NEO4J_PASSWORD"), *pid, *timeout); err != nil {
		fmt.Fprintf(os.Stderr, "neo4jwait: %s did not answer within %v: %v\n", *uri, time.Since(start).Round(time.Second), err)
		os.Exit(1)
	}
	fmt.Printf("neo4jwait: %s answers (after %v)\n", *uri, time.Since(start).Round(100*time.Millisecond))
}

// freePort asks the kernel for a free port on the loopback interface.
func freePort() (int, error) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return 0, err
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port, nil
}

// errExited says the server process is gone, so waiting longer is pointless.
var errExited = errors.New("the server process has exited")

// wait polls the server until `RETURN 1` succeeds, the timeout passes, or process pid exits.
func wait(uri, user, password string, pid int, timeout time.Duration) error {
	driver, err := neo4j.NewDriverWithContext(uri, neo4j.BasicAuth(user, password, ""), func(c *config.Config) {
		c.SocketConnectTimeout = 2 * time.Second
		c.ConnectionAcquisitionTimeout = 5 * time.Second
		c.MaxTransactionRetryTime = 0
	})
	if err != nil {
		return err
	}
	defer driver.Close(context.Background())
	deadline := time.Now().Add(timeout)
	var last error
	for {
		if pid > 0 && syscall.Kill(pid, 0) != nil {
			if last != nil {
				return fmt.Errorf("%w (last error: %v)", errExited, last)
			}
			return errExited
		}
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		_, last = neo4j.ExecuteQuery(ctx, driver, "RETURN 1 AS one", nil, neo4j.EagerResultTransformer)
		cancel()
		if last == nil {
			return nil
		}
		var nerr *neo4j.Neo4jError
		if errors.As(last, &nerr) && nerr.Code == "Neo.ClientError.Security.Unauthorized" {
			return last // wrong credentials: waiting will not help
		}
		if time.Now().After(deadline) {
			return last
		}
		time.Sleep(250 * time.Millisecond)
	}
}
