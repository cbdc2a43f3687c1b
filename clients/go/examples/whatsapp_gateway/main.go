// Command whatsapp_gateway is a channel gateway on the generated Go client of
// Dumas: it submits a complaint that came in over WhatsApp, then delivers
// what Dumas owes the WhatsApp complainants (the receipt first) and
// acknowledges each delivery.
//
//	DUMAS_ADDRESS=127.0.0.1:50051 DUMAS_TOKEN_FILE=.local/tokens/gateway-whatsapp \
//	  build/clients/go/bin/dumas_go_whatsapp_gateway
//
// Settings come from the environment, never from the command line.
// "Delivery" prints the notification's name and kind; a real gateway sends
// its text to its reply address. The sample complainant is fictional. Exit
// status 0 when the receipt was delivered, 1 on a failed call, 2 on bad
// settings.
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
	"google.golang.org/protobuf/types/known/timestamppb"

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

// withToken returns a context with the bearer token and a deadline.
func withToken(token string, timeout time.Duration) (context.Context, context.CancelFunc) {
	ctx, cancel := context.WithTimeout(context.Background(), timeout)
	if token != "" {
		ctx = metadata.AppendToOutgoingContext(ctx, "authorization", "Bearer "+token)
	}
	return ctx, cancel
}

func fail(what string, err error) int {
	fmt.Fprintf(os.Stderr, "%s failed: %s\n", what, status.Code(err))
	return 1
}

func run() int {
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
	// Plaintext on loopback; with TLS use grpc.WithTransportCredentials.
	conn, err := grpc.Dial(address, grpc.WithInsecure())
	if err != nil {
		return fail("dial", err)
	}
	defer conn.Close()
	complaints := dumasv1.NewComplaintServiceClient(conn)
	notifications := dumasv1.NewNotificationServiceClient(conn)

	request := &dumasv1.SubmitComplaintRequest{
		RequestId: newRequestID(),
		Complaint: &dumasv1.Complaint{
			Description: "Saat razia di simpang Jl. Diponegoro, petugas meminta uang agar SIM " +
				"saya tidak ditahan, tanpa surat tilang.",
			IncidentTime:     timestamppb.New(time.Now().Add(-48 * time.Hour)),
			IncidentLocation: "Simpang Jl. Diponegoro - Jl. Gajah Mada, Palu Barat",
			Category:         "categories/penyalahgunaan-wewenang",
			Channel:          dumasv1.Channel_CHANNEL_WHATSAPP,
			ReplyAddress:     "+6281200000001",
			Subject:          &dumasv1.ComplaintSubject{Unit: "units/sat-lantas"},
			Complainant: &dumasv1.Complainant{
				FullName: "Contoh Pengadu", Nik: "7271015208900001", Phone: "+6281200000001",
			},
		},
	}
	// The same request_id on every attempt: a retry after a lost answer
	// returns the same reference number and stores nothing new.
	var submitted *dumasv1.SubmitComplaintResponse
	for attempt := 0; ; attempt++ {
		ctx, cancel := withToken(token, 10*time.Second)
		submitted, err = complaints.SubmitComplaint(ctx, request)
		cancel()
		if err == nil || attempt == 3 || status.Code(err) != codes.Unavailable {
			break
		}
		time.Sleep(time.Duration(200<<attempt) * time.Millisecond)
	}
	if err != nil {
		return fail("SubmitComplaint", err)
	}
	name := submitted.GetComplaint().GetName()
	fmt.Printf("submitted %s\n", name)

	giveUp := time.Now().Add(30 * time.Second)
	for time.Now().Before(giveUp) {
		ctx, cancel := withToken(token, 10*time.Second)
		leased, err := notifications.FetchNotifications(ctx,
			&dumasv1.FetchNotificationsRequest{MaxNotifications: 20})
		cancel()
		if err != nil {
			return fail("FetchNotifications", err)
		}
		if len(leased.GetNotifications()) == 0 {
			time.Sleep(200 * time.Millisecond)
			continue
		}
		receipt := false
		var names []string
		for _, n := range leased.GetNotifications() {
			// Here a real gateway sends n.Text to n.ReplyAddress.
			fmt.Printf("delivered %s %s for %s\n", n.GetName(), n.GetKind(), n.GetComplaint())
			names = append(names, n.GetName())
			if n.GetComplaint() == name && n.GetKind() == dumasv1.NotificationKind_NOTIFICATION_KIND_RECEIPT {
				receipt = true
			}
		}
		ctx, cancel = withToken(token, 10*time.Second)
		_, err = notifications.AcknowledgeNotifications(ctx,
			&dumasv1.AcknowledgeNotificationsRequest{Names: names})
		cancel()
		if err != nil {
			return fail("AcknowledgeNotifications", err)
		}
		if receipt {
			return 0
		}
	}
	fmt.Fprintf(os.Stderr, "the receipt of %s did not come within 30 s\n", name)
	return 1
}

func main() { os.Exit(run()) }
