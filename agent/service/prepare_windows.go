package service

import (
	"errors"
	"fmt"
	"os"

	"golang.org/x/sys/windows"
)

// Folder ACLs, in SDDL. Each is protected (P) so that nothing inherited
// from %ProgramData% (where every user may create files) widens it, and
// owned by Administrators so that the account that ran the installer keeps
// no owner's right to rewrite it.
//
//	SY, BA  full control: SYSTEM and Administrators
//	LS      0x1200a9 read and execute (config); 0x1301bf modify (logs, data)
//	BU      Users: list the config folder itself (no OICI: not its files),
//	        so that a technician can browse to the logs, and read the logs
const (
	configFolderSDDL = "O:BAD:PAI(A;OICI;FA;;;SY)(A;OICI;FA;;;BA)(A;OICI;0x1200a9;;;LS)(A;;0x1200a9;;;BU)"
	logFolderSDDL    = "O:BAD:PAI(A;OICI;FA;;;SY)(A;OICI;FA;;;BA)(A;OICI;0x1301bf;;;LS)(A;OICI;0x1200a9;;;BU)"
	dataFolderSDDL   = "O:BAD:PAI(A;OICI;FA;;;SY)(A;OICI;FA;;;BA)(A;OICI;0x1301bf;;;LS)"
	// inheritOnlySDDL drops a file's own ACEs so that only the folder's
	// apply, as `icacls /reset` does. A config file moved (not copied) in
	// from a user's profile would otherwise keep its owner's write access.
	inheritOnlySDDL = "O:BAD:AI"
)

// Prepare creates %ProgramData%\pbprobe and its logs and data folders with
// ACLs for the LocalService account: it reads the config folder and writes
// the logs and data; only administrators and SYSTEM change the config.
// Config files inside the config folder get the folder's ACL.
func Prepare(p Paths, o Options) error {
	for _, d := range []struct{ path, sddl string }{
		{p.ConfigDir, configFolderSDDL},
		{p.LogDir, logFolderSDDL},
		{p.DataDir, dataFolderSDDL},
	} {
		if err := os.MkdirAll(d.path, 0o755); err != nil {
			return err
		}
		if err := setSecurity(d.path, d.sddl, windows.PROTECTED_DACL_SECURITY_INFORMATION); err != nil {
			return err
		}
	}
	for _, f := range []string{o.ConfigFile, o.WebConfigFile} {
		if f == "" || !within(p.ConfigDir, f) {
			continue
		}
		if err := setSecurity(f, inheritOnlySDDL, windows.UNPROTECTED_DACL_SECURITY_INFORMATION); err != nil {
			return err
		}
	}
	return nil
}

// setSecurity sets path's owner and DACL from sddl. SetNamedSecurityInfo
// also carries the inheritable entries down to what the folder holds.
func setSecurity(path, sddl string, protection windows.SECURITY_INFORMATION) error {
	sd, err := windows.SecurityDescriptorFromString(sddl)
	if err != nil {
		return fmt.Errorf("%s: %w", sddl, err)
	}
	owner, _, err := sd.Owner()
	if err != nil {
		return fmt.Errorf("%s: owner: %w", sddl, err)
	}
	dacl, _, err := sd.DACL()
	if err != nil {
		return fmt.Errorf("%s: DACL: %w", sddl, err)
	}
	if dacl == nil {
		// A NULL DACL grants everyone everything.
		return errors.New(sddl + ": no DACL")
	}
	info := windows.OWNER_SECURITY_INFORMATION | windows.DACL_SECURITY_INFORMATION | protection
	if err := windows.SetNamedSecurityInfo(path, windows.SE_FILE_OBJECT, info, owner, nil, dacl, nil); err != nil {
		return fmt.Errorf("setting the permissions of %s: %w", path, err)
	}
	return nil
}
