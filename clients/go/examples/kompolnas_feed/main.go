// Command kompolnas_feed is a Kompolnas consumer of the change feed on the
// generated Go client of Dumas. It reads the last revision it processed from
// its state file, pages IntegrationService.ListChanges from there, prints
// each change in commit order, and stores the new last revision after each
// page, so that a run that stops anywhere resumes exactly after what it
// stored: every change is processed once.
//
//	DUMAS_ADDRESS=127.0.0.1:50051 DUMAS_TOKEN_FILE=.local/tokens/oversight \
//	  build/clients/go/bin/dumas_go_kompolnas_feed --state=feed.state \
//	  [--log-key-file=log.vkey]
//
// With --log-key-file (the log's verifier key, trusted out of band) it first
// fetches the latest checkpoint of the transparency log and checks its
// Ed25519 signature with crypto/ed25519. A real consumer keeps its state in
// the same transaction as what it made of the changes; a file renamed into
// place stands in for that here. Settings come from the environment, never
// from the command line. Needs an OVERSIGHT token. Prints "resume --after=N"
// last. Exit status 0; 1 on a failed call or a gap in the feed; 2 on bad
// usage, settings or state; 3 when the checkpoint does not verify.
package main

import (
	"bytes"
	"context"
	"crypto/ed25519"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"os"
	"strconv"
	"strings"
	"time"

	"google.golang.org/grpc"
	"google.golang.org/grpc/metadata"
	"google.golang.org/grpc/status"

	dumasv1 "polri.go.id/dumas/v1"
)

// verifyCheckpoint checks the log's signature on a checkpoint, a signed note
// (c2sp.org/signed-note): the body, a blank line, then signature lines
// "— <name> <base64(key id || signature)>". vkey is
// "<name>+<key id, 8 hex digits>+<base64(0x01 || Ed25519 public key)>".
// Returns the tree size the checkpoint signs.
func verifyCheckpoint(note, vkey string) (int64, error) {
	// The name and key id hold no "+"; the base64 may.
	parts := strings.SplitN(strings.TrimSpace(vkey), "+", 3)
	if len(parts) != 3 {
		return 0, errors.New("the log key is not name+keyid+base64")
	}
	name := parts[0]
	key, err := base64.StdEncoding.DecodeString(parts[2])
	if err != nil || len(key) != 1+ed25519.PublicKeySize || key[0] != 0x01 {
		return 0, errors.New("the log key is not an Ed25519 key (type 0x01)")
	}
	// The key id: SHA-256(name || '\n' || type || public key)[:4].
	id := sha256.Sum256(append([]byte(name+"\n"), key...))
	if hex.EncodeToString(id[:4]) != parts[1] {
		return 0, errors.New("the log key's id does not match its key")
	}
	split := strings.Index(note, "\n\n")
	if split < 0 {
		return 0, errors.New("the checkpoint is not a signed note")
	}
	body := note[:split+1]
	verified := false
	for _, line := range strings.Split(note[split+2:], "\n") {
		fields := strings.Split(strings.TrimPrefix(line, "\u2014 "), " ")
		if !strings.HasPrefix(line, "\u2014 ") || len(fields) != 2 || fields[0] != name {
			continue
		}
		sig, err := base64.StdEncoding.DecodeString(fields[1])
		if err != nil || len(sig) != 4+ed25519.SignatureSize || !bytes.Equal(sig[:4], id[:4]) {
			continue
		}
		if ed25519.Verify(ed25519.PublicKey(key[1:]), []byte(body), sig[4:]) {
			verified = true
		}
	}
	if !verified {
		return 0, errors.New("no signature of the log key verifies")
	}
	// The body: origin, tree size, base64 root hash, extension lines.
	lines := strings.Split(body, "\n")
	if len(lines) < 4 || lines[0] != name {
		return 0, errors.New("the checkpoint names another origin than the log key")
	}
	size, err := strconv.ParseInt(lines[1], 10, 64)
	if err != nil {
		return 0, errors.New("the checkpoint's tree size is not a number")
	}
	return size, nil
}

// readState returns the last revision stored in path; 0 when there is none.
func readState(path string) (int64, error) {
	raw, err := os.ReadFile(path)
	if errors.Is(err, os.ErrNotExist) {
		return 0, nil
	}
	if err != nil {
		return 0, err
	}
	return strconv.ParseInt(strings.TrimSpace(string(raw)), 10, 64)
}

// writeState stores the last revision processed: written aside, then renamed
// into place, so that the file always holds one whole revision.
func writeState(path string, revision int64) error {
	tmp := path + ".tmp"
	if err := os.WriteFile(tmp, []byte(strconv.FormatInt(revision, 10)+"\n"), 0o600); err != nil {
		return err
	}
	return os.Rename(tmp, path)
}

func run() int {
	statePath, keyPath := "", ""
	for _, arg := range os.Args[1:] {
		switch {
		case strings.HasPrefix(arg, "--state="):
			statePath = strings.TrimPrefix(arg, "--state=")
		case strings.HasPrefix(arg, "--log-key-file="):
			keyPath = strings.TrimPrefix(arg, "--log-key-file=")
		default:
			fmt.Fprintln(os.Stderr, "usage: dumas_go_kompolnas_feed --state=FILE [--log-key-file=FILE]")
			return 2
		}
	}
	if statePath == "" {
		fmt.Fprintln(os.Stderr, "usage: dumas_go_kompolnas_feed --state=FILE [--log-key-file=FILE]")
		return 2
	}
	address := os.Getenv("DUMAS_ADDRESS")
	if address == "" {
		address = "127.0.0.1:50051"
	}
	raw, err := os.ReadFile(os.Getenv("DUMAS_TOKEN_FILE"))
	if err != nil {
		fmt.Fprintln(os.Stderr, "settings: cannot read DUMAS_TOKEN_FILE")
		return 2
	}
	token := strings.TrimSpace(string(raw))
	last, err := readState(statePath)
	if err != nil {
		fmt.Fprintf(os.Stderr, "state: %s does not hold a revision\n", statePath)
		return 2
	}
	// Plaintext on loopback; with TLS use grpc.WithTransportCredentials.
	conn, err := grpc.Dial(address, grpc.WithInsecure())
	if err != nil {
		fmt.Fprintf(os.Stderr, "dial failed: %v\n", err)
		return 1
	}
	defer conn.Close()
	feed := dumasv1.NewIntegrationServiceClient(conn)

	if keyPath != "" {
		vkey, err := os.ReadFile(keyPath)
		if err != nil {
			fmt.Fprintf(os.Stderr, "cannot read %s\n", keyPath)
			return 2
		}
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		checkpoint, err := feed.GetCheckpoint(ctx, &dumasv1.GetCheckpointRequest{})
		cancel()
		if err != nil {
			fmt.Fprintf(os.Stderr, "GetCheckpoint failed: %s\n", status.Code(err))
			return 1
		}
		size, err := verifyCheckpoint(checkpoint.GetCheckpoint(), string(vkey))
		if err != nil {
			fmt.Fprintf(os.Stderr, "the checkpoint does not verify: %v\n", err)
			return 3
		}
		fmt.Printf("checkpoint verified: tree size %d\n", size)
	}

	for {
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		ctx = metadata.AppendToOutgoingContext(ctx, "authorization", "Bearer "+token)
		page, err := feed.ListChanges(ctx, &dumasv1.ListChangesRequest{AfterRevision: last, PageSize: 500})
		cancel()
		if err != nil {
			fmt.Fprintf(os.Stderr, "ListChanges failed: %s\n", status.Code(err))
			return 1
		}
		for _, change := range page.GetChanges() {
			if change.GetRevision() != last+1 {
				fmt.Fprintf(os.Stderr, "gap: revision %d after %d\n", change.GetRevision(), last)
				return 1
			}
			last = change.GetRevision()
			if change.GetComplaint() == "" {
				fmt.Printf("%d %s %s\n", last, change.GetRecord().GetName(), change.GetRecord().GetKind())
				continue
			}
			event := change.GetEvent()
			fmt.Printf("%d %s %s %s -> %s\n", last, change.GetComplaint(), event.GetType(),
				event.GetFromState(), event.GetToState())
		}
		if len(page.GetChanges()) > 0 {
			if err := writeState(statePath, last); err != nil {
				fmt.Fprintf(os.Stderr, "state: cannot write %s\n", statePath)
				return 2
			}
		}
		if len(page.GetChanges()) == 0 || last >= page.GetHeadRevision() {
			break
		}
	}
	fmt.Printf("resume --after=%d\n", last)
	return 0
}

func main() { os.Exit(run()) }
