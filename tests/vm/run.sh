#!/usr/bin/env bash
# Boot test guests and run scenarios in them:
#   tests/vm/run.sh [options] SCENARIO...
# One boot per (kernel, scenario): qemu with 2 vCPUs and the initramfs of
# mkinitramfs.sh; /init runs tests/vm/scenarios/SCENARIO.sh and powers off.
#
# Output (TAP-like): each `ok`/`not ok` line of the scenario, behind a
# `[<release>] ` tag, then one line per boot:
#   ok vm <release> <scenario> (wall 4.1 s, boot 2.3 s, scenario 0.9 s)
#   not ok vm <release> <scenario>: <reason>
# A boot fails on a `not ok` line or a nonzero scenario status, a kernel
# WARNING/BUG/Oops/GPF/hung task/lockup/RCU stall/panic, a missing end marker
# (timeout or crash), or a taint other than O (4096) and E (8192). The serial
# log of each boot is kept in $FBT_CACHE/vm/logs/<release>-<scenario>.log.
# Exit status: 0 when every boot passed.
#
# Options:
#   --kernel REL|all   kernel release to boot (repeatable; default: all that
#                      have /boot/vmlinuz-REL and /lib/modules/REL)
#   --jobs N           boots run at the same time (default 2 on 2+ cores;
#                      a scenario with `# fbtvm-exclusive: yes` always
#                      runs alone, after the others)
#   --timeout S        per-boot timeout (default: the scenario's
#                      `# fbtvm-timeout: S` line, else 120)
#   --accel auto|tcg|kvm  default auto: KVM only if a probe boot on it
#                      works (result cached), else TCG
#   --append WORDS     extra kernel command line (e.g. fbt.arm=...)
#   --show             print the scenario's whole output, not just ok lines
#   --shell            boot the first kernel interactively with a shell
#                      (after SCENARIO if one is given)
# Environment: FBTVM_QEMU_EXTRA adds qemu arguments (e.g. a monitor socket:
# "-monitor unix:/tmp/m.sock,server,nowait" to read a hung guest's registers).
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
cache=${FBT_CACHE:-$HOME/.cache/fbt}
export FBT_CACHE=$cache
logdir=$cache/vm/logs

die() { echo "run.sh: $*" >&2; exit 2; }

kernels=()
# Two guests at a time on two or more cores: measured 1.2-1.8x faster than
# one at a time for short scenarios on a 2-core host.
jobs=$(( $(nproc) >= 2 ? 2 : 1 ))
timeout_override=
accel=${FBTVM_ACCEL:-auto}
append=
show=0
shell=0
scenarios=()
while [ $# -gt 0 ]; do
	case "$1" in
	--kernel) [ $# -ge 2 ] || die "--kernel needs an argument"; kernels+=("$2"); shift 2 ;;
	--kernel=*) kernels+=("${1#*=}"); shift ;;
	--jobs|-j) jobs=$2; shift 2 ;;
	--timeout) timeout_override=$2; shift 2 ;;
	--accel) accel=$2; shift 2 ;;
	--append) append="$append $2"; shift 2 ;;
	--show) show=1; shift ;;
	--shell) shell=1; shift ;;
	-h|--help) sed -n '2,/^set -euo/p' "$0" | sed '$d; s/^# \{0,1\}//'; exit 0 ;;
	-*) die "unknown option $1 (--help)" ;;
	*) scenarios+=("$1"); shift ;;
	esac
done
[ ${#scenarios[@]} -gt 0 ] || [ $shell -eq 1 ] || die "no scenario given (see tests/vm/scenarios/)"
case "$jobs" in ''|*[!0-9]*|0) die "--jobs wants a positive number" ;; esac
case "$accel" in auto|tcg|kvm) ;; *) die "--accel auto|tcg|kvm" ;; esac
command -v qemu-system-x86_64 >/dev/null || die "qemu-system-x86_64 not found (make deps)"
for s in "${scenarios[@]}"; do
	[ -f "$here/scenarios/$s.sh" ] || die "no scenario $s (tests/vm/scenarios/$s.sh)"
done

installed() {
	local d rel
	for d in /lib/modules/*/; do
		rel=$(basename "$d")
		[ -f "/boot/vmlinuz-$rel" ] && [ -f "$d/modules.dep" ] && echo "$rel"
	done | sort -V
}
if [ ${#kernels[@]} -eq 0 ] || [[ " ${kernels[*]} " == *" all "* ]]; then
	mapfile -t kernels < <(installed)
	[ ${#kernels[@]} -gt 0 ] || die "no kernel with /boot/vmlinuz-REL and /lib/modules/REL"
fi
for rel in "${kernels[@]}"; do
	[ -f "/boot/vmlinuz-$rel" ] || die "no /boot/vmlinuz-$rel"
	[ -r "/boot/vmlinuz-$rel" ] || die "/boot/vmlinuz-$rel not readable (run as root)"
done

mkdir -p "$logdir"
for rel in "${kernels[@]}"; do
	"$here/mkinitramfs.sh" "$rel" "$cache/vm/$rel/initramfs.cpio.gz" ||
		die "building the initramfs for $rel failed"
done

qemu_cmd() { # rel accel cmdline-extra
	echo qemu-system-x86_64 -accel "$2" -cpu max -m 1024 -smp 2 -nographic -no-reboot \
		-kernel "/boot/vmlinuz-$1" -initrd "$cache/vm/$1/initramfs.cpio.gz" ${FBTVM_QEMU_EXTRA:-}
}
base_append="console=ttyS0 panic=-1 loglevel=5"

# KVM where it demonstrably boots; the verdict is cached per host and qemu.
choose_accel() {
	local key f log
	if [ "$accel" != auto ]; then
		echo "$accel"
		return
	fi
	if [ ! -c /dev/kvm ] || [ ! -r /dev/kvm ] || [ ! -w /dev/kvm ]; then
		echo tcg
		return
	fi
	key=$( (uname -r; qemu-system-x86_64 --version | head -n 1; grep -m1 'model name' /proc/cpuinfo;
		cksum <"/boot/vmlinuz-${kernels[0]}") | cksum | cut -d' ' -f1)
	f=$cache/vm/kvm-probe
	if [ "$(cut -d' ' -f1 "$f" 2>/dev/null)" != "$key" ]; then
		log=$logdir/kvm-probe.log
		# shellcheck disable=SC2046
		timeout -k 5 30 $(qemu_cmd "${kernels[0]}" kvm) \
			-append "$base_append fbtvm.scenario=boot" </dev/null >"$log" 2>&1 || true
		if grep -q 'FBTVM-END scenario=boot status=0' "$log"; then
			echo "$key kvm" >"$f"
		else
			echo "$key tcg" >"$f"
		fi
	fi
	cut -d' ' -f2 "$f"
}
accel=$(choose_accel)

if [ $shell -eq 1 ]; then
	rel=${kernels[0]}
	echo "run.sh: $rel on $accel, interactive (Ctrl-A X quits qemu)" >&2
	# shellcheck disable=SC2046
	exec $(qemu_cmd "$rel" "$accel") \
		-append "$base_append fbtvm.shell=1${scenarios[0]:+ fbtvm.scenario=${scenarios[0]}}$append"
fi

scenario_timeout() {
	local t
	if [ -n "$timeout_override" ]; then
		echo "$timeout_override"
		return
	fi
	t=$(sed -n 's/^# fbtvm-timeout: *\([0-9]\{1,\}\).*/\1/p' "$here/scenarios/$1.sh" | head -n 1)
	echo "${t:-120}"
}

minus() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.3f", a - b }'; }

taint_letters() { # the kernel's taint flags, as in /proc/sys/kernel/tainted
	local t=$1 i out='' letters=PFSRMBUDAWCIOELKXTN
	for ((i = 0; i < ${#letters}; i++)); do
		(( t & (1 << i) )) && out+=${letters:i:1}
	done
	echo "$out"
}

# Kernel messages that fail a boot, as grep -E patterns.
problems='WARNING:|BUG:|Oops|general protection|blocked for more than|soft lockup|hard LOCKUP|RCU stall|detected stall|self-detected stall|Kernel panic|kernel BUG at|Call Trace:'
# A scenario that provokes an oops on purpose says `# fbtvm-expect: oops`:
# then an oops (its Oops/BUG/invalid opcode/Call Trace lines and taint D)
# does not fail the boot, its absence does; everything else still does,
# and the guest must still reach its end marker. A scenario may allow
# more taint letters with `# fbtvm-allow-taint: N` (fault injection).
problems_oops='WARNING:|general protection|blocked for more than|soft lockup|hard LOCKUP|RCU stall|detected stall|self-detected stall|Kernel panic'
scenario_header() { # scenario key
	sed -n "s/^# fbtvm-$2: *//p" "$here/scenarios/$1.sh" | head -n 1
}
taint_mask() { # letters -> bits
	local l=$1 i m=0 letters=PFSRMBUDAWCIOELKXTN
	for ((i = 0; i < ${#letters}; i++)); do
		[[ $l == *"${letters:i:1}"* ]] && m=$((m | (1 << i)))
	done
	echo $m
}

# Boot one guest; writes the verdict lines to $2.out and returns its status.
run_one() { # rel scenario resultfile
	local rel=$1 scen=$2 res=$3 log=$logdir/$1-$2.log t start end qrc=0 wall
	local endline status tainted up0 up1 bad reason='' nfail pats=$problems
	local allow=$((4096 | 8192)) want_oops=0
	t=$(scenario_timeout "$scen")
	if [ "$(scenario_header "$scen" expect)" = oops ]; then
		pats=$problems_oops
		allow=$((allow | 128))
		want_oops=1
	fi
	allow=$((allow | $(taint_mask "$(scenario_header "$scen" allow-taint)")))
	start=$(date +%s.%N)
	# shellcheck disable=SC2046
	timeout -k 5 "$t" $(qemu_cmd "$rel" "$accel") \
		-append "$base_append fbtvm.scenario=$scen$append" </dev/null 2>&1 |
		sed -u 's/\r//g; s/\x1b\[[0-9;?]*[A-Za-z]//g' >"$log" || qrc=${PIPESTATUS[0]}
	end=$(date +%s.%N)
	wall=$(minus "$end" "$start")

	# The scenario's own lines: between the markers, not kernel messages.
	sed -n '/^FBTVM-BEGIN /,/^FBTVM-END /p' "$log" |
		grep -vE '^(FBTVM-|dmesg: |\[ *[0-9]+\.[0-9]+\] )' >"$res.scen" || true
	{
		if [ $show -eq 1 ]; then
			sed -E "s/^(not ok|ok) /[$rel] \1 /" "$res.scen"
		else
			grep -E '^(not )?ok ' "$res.scen" | sed "s/^/[$rel] /" || true
		fi
	} >"$res"

	# (not anchored: a kernel message may share the line)
	endline=$(grep -m1 -o 'FBTVM-END scenario=.*' "$log" || true)
	status=$(sed -n 's/.* status=\([0-9]*\).*/\1/p' <<<"$endline")
	tainted=$(sed -n 's/.* tainted=\([0-9]*\).*/\1/p' <<<"$endline")
	up1=$(sed -n 's/.* uptime=\([0-9.]*\).*/\1/p' <<<"$endline")
	up0=$(grep -m1 '^FBTVM-BEGIN ' "$log" | sed -n 's/.* uptime=\([0-9.]*\).*/\1/p' || true)
	bad=$(grep -m1 -E "$pats" "$log" || true)
	nfail=$(grep -c '^not ok ' "$res.scen" || true)

	if [ -n "$bad" ]; then
		reason="kernel: ${bad#dmesg: }"
	elif [ -z "$endline" ]; then
		if [ "$qrc" -eq 124 ] || [ "$qrc" -eq 137 ]; then
			reason="no end marker: timeout after ${t}s"
		else
			reason="no end marker: guest died (qemu exit $qrc)"
		fi
	elif [ "$nfail" -gt 0 ]; then
		reason="$nfail scenario checks failed"
	elif [ "${status:-1}" -ne 0 ]; then
		reason="scenario exit status $status"
	elif [ $want_oops -eq 1 ] && ! grep -q -E 'Oops: |BUG: kernel NULL pointer' "$log"; then
		reason="fbtvm-expect: oops, but no oops in the log"
	elif [ -z "$tainted" ] || (( tainted & ~allow )); then
		reason="tainted=${tainted:-?} ($(taint_letters "${tainted:-0}"), only $(taint_letters $allow) allowed)"
	fi
	if [ -z "$reason" ]; then
		printf 'ok vm %s %s (wall %.1f s, boot %.1f s, scenario %.1f s, %s)\n' \
			"$rel" "$scen" "$wall" "$up0" "$(minus "$up1" "$up0")" "$accel" >>"$res"
		return 0
	fi
	{
		printf 'not ok vm %s %s: %s (wall %.1f s, %s)\n' "$rel" "$scen" "$reason" "$wall" "$accel"
		echo "# log: $log"
		if [ -n "$bad" ]; then
			grep -m1 -A 25 -F -- "$bad" "$log" | sed 's/^/#   /'
		else
			# From the begin marker on if there is one, without the dmesg copy.
			if grep -q '^FBTVM-BEGIN ' "$log"; then
				sed -n '/^FBTVM-BEGIN /,$p' "$log"
			else
				cat "$log"
			fi | grep -vE '^dmesg: ' | tail -n 25 | sed 's/^/#   /'
		fi
	} >>"$res"
	return 1
}

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
t0=$(date +%s.%N)
# Boots that may share the host go first, $jobs at a time; scenarios that
# say `# fbtvm-exclusive: yes` (timings, heavy load) run alone afterwards.
shared=()
alone=()
for rel in "${kernels[@]}"; do
	for s in "${scenarios[@]}"; do
		if grep -qi '^# fbtvm-exclusive: *yes' "$here/scenarios/$s.sh"; then
			alone+=("$rel $s")
		else
			shared+=("$rel $s")
		fi
	done
done

failed=0
passed=0
n=0
finish_one() { # index
	if [ "$(cat "$tmp/$1.rc")" = 0 ]; then
		passed=$((passed + 1))
	else
		failed=$((failed + 1))
	fi
	cat "$tmp/$1.res"
}
# Run boots, at most $1 at a time; print each one's lines as it ends.
run_pairs() { # max pair...
	local max=$1 pair rel s k running=0
	local -A pid_of=()
	shift
	for pair in "$@"; do
		read -r rel s <<<"$pair"
		(rc=0; run_one "$rel" "$s" "$tmp/$n.res" || rc=$?; echo $rc >"$tmp/$n.rc") &
		pid_of[$n]=$!
		n=$((n + 1))
		running=$((running + 1))
		while [ $running -ge "$max" ]; do
			wait -n || true
			for k in "${!pid_of[@]}"; do
				if [ -f "$tmp/$k.rc" ]; then
					finish_one "$k"
					unset "pid_of[$k]"
					running=$((running - 1))
				fi
			done
		done
	done
	wait
	for k in $(printf '%s\n' "${!pid_of[@]}" | sort -n); do
		finish_one "$k"
	done
}
[ ${#shared[@]} -eq 0 ] || run_pairs "$jobs" "${shared[@]}"
[ ${#alone[@]} -eq 0 ] || run_pairs 1 "${alone[@]}"
printf '# vm: %d boots, %d passed, %d failed, %.1f s (%s, %d at a time)\n' \
	$((passed + failed)) "$passed" "$failed" "$(minus "$(date +%s.%N)" "$t0")" "$accel" "$jobs"
[ "$failed" -eq 0 ]
