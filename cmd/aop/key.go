package main

import (
	"context"
	"fmt"

	"github.com/urfave/cli/v3"

	"aop/cmd/internal/keys"
)

func keyCommand(e *env) *cli.Command {
	return &cli.Command{
		Name:  "key",
		Usage: "create a signing key file for a cycle",
		Flags: []cli.Flag{&cli.StringFlag{Name: "out", Usage: "the key file to create", Required: true}},
		Action: func(_ context.Context, cmd *cli.Command) error {
			k, err := keys.Create(cmd.String("out"))
			if err != nil {
				return err
			}
			fmt.Fprintf(e.stdout, "created %s (key id %s); name it as signing_key_file in the cycle file and keep it secret\n", cmd.String("out"), k.ID())
			return nil
		},
	}
}
