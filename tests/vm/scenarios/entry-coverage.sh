# fbtvm-timeout: 300
# Measurement, not a threshold: which function-entry sites of the running
# kernel's core text the emulator accepts (tests/vm/entrycov.c). Fails only
# if the tool cannot read the live text.
. /fbt/lib.sh

if entrycov; then
	# shellcheck disable=SC2034 # read by finish (lib.sh)
	FBTVM_PASSED=1
else
	notok "entry-coverage $FBTVM_REL: entrycov exited with status $?"
fi
finish
