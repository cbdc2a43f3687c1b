// Command case_tool moves a complaint through its lifecycle, as an internal
// case tool of Polres Palu would, on the generated Go client of Dumas:
// RECEIVED -> VERIFIED -> ASSIGNED (the routing rule picks the unit) ->
// UNDER_INVESTIGATION -> CONCLUDED -> ANSWERED -> CLOSED.
//
//	DUMAS_ADDRESS=127.0.0.1:50051 DUMAS_TOKEN_FILE=.local/tokens/supervisor \
//	  build/clients/go/bin/dumas_go_case_tool complaints/K7QM-4R9X-2HTZ
//
// Each state change names the etag of the complaint as last read (a stale
// one fails with ABORTED: read again, decide again) and carries a request_id
// of its own, so that a retry after a lost answer changes nothing twice.
// Settings come from the environment, never from the command line. Needs a
// SUPERVISOR token. Prints each transition. Exit status 0 when closed, 1 on a
// failed call, 2 on bad usage or settings.
package main

import (
	"context"
	"crypto/rand"
	"fmt"
	"os"
	"strings"
	"time"

	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/metadata"
	"google.golang.org/grpc/status"

	dumasv1 "polri.go.id/dumas/v1"
)

func newRequestID() string {
	b := make([]byte, 16)
	if _, err := rand.Read(b); err != nil {
		panic(err)
	}
	b[6] = b[6]&0x0f | 0x40
	b[8] = b[8]&0x3f | 0x80
	return fmt.Sprintf("%x-%x-%x-%x-%x", b[0:4], b[4:6], b[6:8], b[8:10], b[10:])
}

// caseTool holds the connection and the token of one supervisor.
type caseTool struct {
	token      string
	complaints dumasv1.ComplaintServiceClient
}

// call runs one unary call with the token and a deadline, retrying while the
// server is unavailable: every request here has a request_id, which makes a
// retry safe.
func (t *caseTool) call(f func(ctx context.Context) error) error {
	var err error
	for attempt := 0; ; attempt++ {
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		ctx = metadata.AppendToOutgoingContext(ctx, "authorization", "Bearer "+t.token)
		err = f(ctx)
		cancel()
		if err == nil || attempt == 3 || status.Code(err) != codes.Unavailable {
			return err
		}
		time.Sleep(time.Duration(200<<attempt) * time.Millisecond)
	}
}

// transition is one state change: its method, sent on the complaint as last
// read (its name and etag) under the request_id of this change.
type transition struct {
	method string
	send   func(ctx context.Context, c *dumasv1.Complaint, requestID string) (*dumasv1.Complaint, error)
}

func transitions(svc dumasv1.ComplaintServiceClient) []transition {
	return []transition{
		{"VerifyComplaint", func(ctx context.Context, c *dumasv1.Complaint, id string) (*dumasv1.Complaint, error) {
			r, err := svc.VerifyComplaint(ctx, &dumasv1.VerifyComplaintRequest{
				Name: c.GetName(), Etag: c.GetEtag(), RequestId: id,
				InternalNote: "Dugaan pungli oleh petugas lalu lintas: ranah pengawasan."})
			return r.GetComplaint(), err
		}},
		// No handling unit: the routing rule of the category picks it.
		{"AssignComplaint", func(ctx context.Context, c *dumasv1.Complaint, id string) (*dumasv1.Complaint, error) {
			r, err := svc.AssignComplaint(ctx, &dumasv1.AssignComplaintRequest{
				Name: c.GetName(), Etag: c.GetEtag(), RequestId: id,
				InternalNote: "Disposisi sesuai tupoksi."})
			return r.GetComplaint(), err
		}},
		{"StartInvestigation", func(ctx context.Context, c *dumasv1.Complaint, id string) (*dumasv1.Complaint, error) {
			r, err := svc.StartInvestigation(ctx, &dumasv1.StartInvestigationRequest{
				Name: c.GetName(), Etag: c.GetEtag(), RequestId: id})
			return r.GetComplaint(), err
		}},
		{"ConcludeComplaint", func(ctx context.Context, c *dumasv1.Complaint, id string) (*dumasv1.Complaint, error) {
			r, err := svc.ConcludeComplaint(ctx, &dumasv1.ConcludeComplaintRequest{
				Name: c.GetName(), Etag: c.GetEtag(), RequestId: id,
				Outcome:  dumasv1.Outcome_OUTCOME_SUBSTANTIATED,
				Findings: "Klarifikasi saksi dan rekaman pos membenarkan pengaduan."})
			return r.GetComplaint(), err
		}},
		{"AnswerComplaint", func(ctx context.Context, c *dumasv1.Complaint, id string) (*dumasv1.Complaint, error) {
			r, err := svc.AnswerComplaint(ctx, &dumasv1.AnswerComplaintRequest{
				Name: c.GetName(), Etag: c.GetEtag(), RequestId: id,
				Answer: "Pengaduan Anda terbukti; petugas yang bersangkutan diproses disiplin."})
			return r.GetComplaint(), err
		}},
		{"CloseComplaint", func(ctx context.Context, c *dumasv1.Complaint, id string) (*dumasv1.Complaint, error) {
			r, err := svc.CloseComplaint(ctx, &dumasv1.CloseComplaintRequest{
				Name: c.GetName(), Etag: c.GetEtag(), RequestId: id})
			return r.GetComplaint(), err
		}},
	}
}

func run() int {
	if len(os.Args) != 2 || !strings.HasPrefix(os.Args[1], "complaints/") {
		fmt.Fprintln(os.Stderr, "usage: dumas_go_case_tool complaints/REFERENCE")
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
	// Plaintext on loopback; with TLS use grpc.WithTransportCredentials.
	conn, err := grpc.Dial(address, grpc.WithInsecure())
	if err != nil {
		fmt.Fprintf(os.Stderr, "dial failed: %v\n", err)
		return 1
	}
	defer conn.Close()
	t := &caseTool{token: strings.TrimSpace(string(raw)),
		complaints: dumasv1.NewComplaintServiceClient(conn)}
	svc := t.complaints

	var complaint *dumasv1.Complaint
	if err := t.call(func(ctx context.Context) error {
		got, err := svc.GetComplaint(ctx, &dumasv1.GetComplaintRequest{Name: os.Args[1]})
		complaint = got.GetComplaint()
		return err
	}); err != nil {
		fmt.Fprintf(os.Stderr, "GetComplaint failed: %s\n", status.Code(err))
		return 1
	}

	for _, step := range transitions(svc) {
		// One request_id per change, the same on every attempt.
		id := newRequestID()
		var after *dumasv1.Complaint
		if err := t.call(func(ctx context.Context) (err error) {
			after, err = step.send(ctx, complaint, id)
			return err
		}); err != nil {
			fmt.Fprintf(os.Stderr, "%s failed: %s\n", step.method, status.Code(err))
			return 1
		}
		fmt.Printf("%-20s %s -> %s\n", step.method, complaint.GetState(), after.GetState())
		complaint = after
	}
	fmt.Printf("handled by %s\n", complaint.GetHandlingUnit())
	return 0
}

func main() { os.Exit(run()) }
