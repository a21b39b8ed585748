//go:build linux

package packaging_test

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// throwAwayCert makes a self-signed code-signing certificate and its
// PKCS#12 bundle with a password, as a CI run or a developer would; it
// returns the bundle, the password file and the certificate (the trust
// anchor for verify).
func throwAwayCert(t *testing.T, dir string) (p12, passFile, cert string) {
	t.Helper()
	key := filepath.Join(dir, "key.pem")
	cert = filepath.Join(dir, "cert.pem")
	p12 = filepath.Join(dir, "sign.p12")
	passFile = filepath.Join(dir, "password")
	if err := os.WriteFile(passFile, []byte("test only\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	run(t, nil, "openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", key, "-out", cert,
		"-days", "2", "-subj", "/CN=pbprobe test signing", "-addext", "extendedKeyUsage=codeSigning",
		"-addext", "keyUsage=digitalSignature")
	run(t, nil, "openssl", "pkcs12", "-export", "-inkey", key, "-in", cert, "-out", p12,
		"-passout", "file:"+passFile)
	return p12, passFile, cert
}

// tinyExe builds a small Windows program: a real PE file to sign.
func tinyExe(t *testing.T, dir string) string {
	t.Helper()
	src := filepath.Join(dir, "src")
	if err := os.MkdirAll(src, 0o755); err != nil {
		t.Fatal(err)
	}
	files := map[string]string{
		"go.mod":  "module tiny\n\ngo 1.22\n",
		"main.go": "package main\n\nfunc main() { println(\"tiny\") }\n",
	}
	for name, text := range files {
		if err := os.WriteFile(filepath.Join(src, name), []byte(text), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	exe := filepath.Join(dir, "tiny.exe")
	cmd := exec.Command("go", "build", "-trimpath", "-ldflags=-s -w", "-o", exe, ".")
	cmd.Dir = src
	cmd.Env = append(os.Environ(), "GOOS=windows", "GOARCH=amd64", "CGO_ENABLED=0", "GOFLAGS=")
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	return exe
}

// TestSigning signs a PE and an MSI the way `make dist SIGN_PKCS12=...
// SIGN_PASSWORD_FILE=...` does; osslsigncode verify accepts both against
// the certificate and rejects a copy with one byte changed.
func TestSigning(t *testing.T) {
	needTools(t, map[string]string{"osslsigncode": "osslsigncode", "openssl": "openssl",
		"wixl": "wixl", "msibuild": "msitools", "faketime": "faketime", "go": "golang"})
	dir := t.TempDir()
	p12, passFile, cert := throwAwayCert(t, dir)
	exe := tinyExe(t, dir)
	env := []string{"SIGN_PKCS12=" + p12, "SIGN_PASSWORD_FILE=" + passFile, "SIGN_CAFILE=" + cert,
		"SOURCE_DATE_EPOCH=1700000000", "VERSION=v1.2.3"}

	run(t, env, "./dist.sh", "sign", exe)
	msi := filepath.Join(dir, "pbprobe.msi")
	run(t, env, "./dist.sh", "msi", exe, msi)
	run(t, env, "./dist.sh", "sign", msi)

	for _, f := range []string{exe, msi} {
		t.Run(filepath.Ext(f)[1:], func(t *testing.T) {
			out := run(t, nil, "osslsigncode", "verify", "-in", f, "-CAfile", cert)
			if !strings.Contains(out, "Signature verification: ok") {
				t.Errorf("verify %s:\n%s", f, out)
			}
			tampered := tamper(t, f)
			out2, err := exec.Command("osslsigncode", "verify", "-in", tampered, "-CAfile", cert).CombinedOutput()
			// MISMATCH: the digest, not the file's structure, gave it away.
			if err == nil || !strings.Contains(string(out2), "MISMATCH") {
				t.Errorf("a tampered %s verified:\n%s", filepath.Base(f), out2)
			}
		})
	}

	// Unsigned, verification fails: the check above is not vacuous.
	plain := tinyExe(t, t.TempDir())
	if out, err := exec.Command("osslsigncode", "verify", "-in", plain, "-CAfile", cert).CombinedOutput(); err == nil {
		t.Errorf("an unsigned exe verified:\n%s", out)
	}
}

// tamper copies f with one byte of its content changed, away from the
// signature at the end.
func tamper(t *testing.T, f string) string {
	t.Helper()
	b, err := os.ReadFile(f)
	if err != nil {
		t.Fatal(err)
	}
	b[len(b)/3] ^= 0x01
	out := f + ".tampered" + filepath.Ext(f)
	if err := os.WriteFile(out, b, 0o644); err != nil {
		t.Fatal(err)
	}
	return out
}
