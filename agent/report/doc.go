// Package report turns the run document (agent.Document) into words for
// people: a message and a remediation hint per host in English or German,
// the text of `pbprobe check`, and the JSON document of /status.
//
// The agent never formats prose; everything a technician reads is decided
// here, so that the check output, the /status document and the logs say the
// same thing in the same words.
package report
