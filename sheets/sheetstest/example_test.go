package sheetstest_test

import (
	"context"
	"fmt"

	"google.golang.org/api/drive/v3"
	"google.golang.org/api/option"
	"google.golang.org/api/sheets/v4"

	"aop/sheets/sheetstest"
)

// A service account copies the master template into the shared drive,
// shares the copy with a department head, who types a number into it;
// the service reads it back. Everything runs in process.
func Example() {
	ctx := context.Background()
	emu := sheetstest.MustNew(sheetstest.Options{})
	seed, err := emu.Seed(sheetstest.SeedOptions{})
	if err != nil {
		panic(err)
	}
	// Google's own clients, acting as the service account through the
	// in-process transport (seed.Key, the account's key file, works too:
	// its token_uri is the emulator's /token).
	dsvc, _ := drive.NewService(ctx, emu.DriveOptions(seed.ServiceAccount)...)
	ssvc, _ := sheets.NewService(ctx, option.WithEndpoint(emu.SheetsEndpoint()), option.WithHTTPClient(emu.ClientFor(seed.ServiceAccount)))

	cp, err := dsvc.Files.Copy(seed.TemplateID, &drive.File{Name: "FY2026 Sales", Parents: []string{seed.DriveID}}).
		SupportsAllDrives(true).Fields("id").Do()
	if err != nil {
		panic(err)
	}
	_, err = dsvc.Permissions.Create(cp.Id, &drive.Permission{Type: "user", Role: "writer", EmailAddress: "head@example.com"}).
		SupportsAllDrives(true).SendNotificationEmail(false).Do()
	if err != nil {
		panic(err)
	}
	if err := emu.EditAs("head@example.com", cp.Id, "Sheet1!A1:B1", [][]any{{"Travel", "1,200"}}); err != nil {
		panic(err)
	}
	vr, err := ssvc.Spreadsheets.Values.Get(cp.Id, "Sheet1!A1:B1").ValueRenderOption("UNFORMATTED_VALUE").Do()
	if err != nil {
		panic(err)
	}
	fmt.Println(vr.Range, vr.Values)
	fmt.Println(emu.Stats().Requests["drive.files.copy"], "copy,", emu.Stats().Requests["sheets.spreadsheets.values.get"], "read")
	// Output:
	// Sheet1!A1:B1 [[Travel 1200]]
	// 1 copy, 1 read
}
