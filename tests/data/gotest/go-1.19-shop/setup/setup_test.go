package setup

import (
	"os"
	"testing"
)

func TestMain(m *testing.M) {
	if os.Getenv("SHOP_DB") == "" {
		panic("SHOP_DB not set")
	}
	os.Exit(m.Run())
}

func TestQuery(t *testing.T) {}
