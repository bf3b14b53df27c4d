package crash

import (
	"os/exec"
	"syscall"
)

// dieWithParent makes the server die with the test process, so a test
// killed by its timeout leaves no server behind.
func dieWithParent(cmd *exec.Cmd) {
	cmd.SysProcAttr = &syscall.SysProcAttr{Pdeathsig: syscall.SIGKILL}
}
