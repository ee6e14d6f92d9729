/* SPDX-License-Identifier: GPL-2.0 */
/*
 * fbt's trace events, system "fbt":
 *  fbt_hit        every trap (off until enabled: trace-cmd record -e fbt:fbt_hit)
 *  fbt_violation  an assertion failed (on in the instance "fbt")
 *  fbt_history    one per record of a dump (on in the instance "fbt")
 * Every field prints decoded (symbols, flag names), so trace-cmd report
 * needs no plugin.
 */
#undef TRACE_SYSTEM
#define TRACE_SYSTEM fbt

#if !defined(FBT_RECORDER_TRACE_H) || defined(TRACE_HEADER_MULTI_READ)
#define FBT_RECORDER_TRACE_H

#include <linux/tracepoint.h>

/* Bit 1 always reads 1: left out, or every line would end in "|0x2". */
#define fbt_show_eflags(f)					\
	__print_flags((f) & 0x40fd5, "|",			\
	{ 0x0001, "CF" }, { 0x0004, "PF" }, { 0x0010, "AF" },	\
	{ 0x0040, "ZF" }, { 0x0080, "SF" }, { 0x0100, "TF" },	\
	{ 0x0200, "IF" }, { 0x0400, "DF" }, { 0x0800, "OF" },	\
	{ 0x40000, "AC" })

#define fbt_show_kind(k)					\
	__print_symbolic(k,					\
	{ 1, "entry" }, { 2, "return" }, { 3, "recursion" },	\
	{ 4, "ghost" }, { 5, "violation" })

#define fbt_show_ekind(k)					\
	__print_symbolic(k,					\
	{ 1, "nop" }, { 2, "xchg" }, { 3, "cbw" }, { 4, "cwd" },	\
	{ 5, "pushf" }, { 6, "popf" }, { 7, "sahf" }, { 8, "lahf" },	\
	{ 9, "push" }, { 10, "pop" }, { 11, "push_imm" },		\
	{ 12, "alu" }, { 13, "mov" }, { 14, "lea" }, { 15, "movx" },	\
	{ 16, "unary" }, { 17, "shift" }, { 18, "xchg_rm" },		\
	{ 19, "cmov" }, { 20, "setcc" }, { 21, "jmp" }, { 22, "jcc" },	\
	{ 23, "call" }, { 24, "ret" }, { 25, "leave" }, { 26, "misc" })

/* Every value a record can hold (ring.h: 5, 6, 7 are the checks without probe). */
#define fbt_show_why(w)						\
	__print_symbolic(w, { 0, "-" },					\
	{ 1, "IF-changed" }, { 2, "pushf-image" },			\
	{ 3, "IF-changed,pushf-image" }, { 4, "popf-IF" },		\
	{ 5, "kernel-assertion" }, { 6, "softirq-exit" },		\
	{ 7, "syscall-exit" }, { 8, "ip" }, { 9, "IF-changed,ip" },	\
	{ 10, "pushf-image,ip" }, { 11, "IF-changed,pushf-image,ip" },	\
	{ 12, "popf-IF,ip" })

TRACE_EVENT(fbt_hit,
	    TP_PROTO(u32 id, u8 kind, unsigned long ip, u8 opcode, u8 len,
		     u8 ekind, unsigned long flags_in, unsigned long flags_out),
	    TP_ARGS(id, kind, ip, opcode, len, ekind, flags_in, flags_out),
	    TP_STRUCT__entry(__field(unsigned long, ip)
			     __field(unsigned long, flags_in)
			     __field(unsigned long, flags_out)
			     __field(u32, id)
			     __field(u8, kind)
			     __field(u8, opcode)
			     __field(u8, len)
			     __field(u8, ekind)
	    ),
	    TP_fast_assign(__entry->ip = ip;
			   __entry->flags_in = flags_in;
			   __entry->flags_out = flags_out;
			   __entry->id = id;
			   __entry->kind = kind;
			   __entry->opcode = opcode;
			   __entry->len = len;
			   __entry->ekind = ekind;
	    ),
	    TP_printk("id=%u %s %ps ip=%lx op=%02x len=%u %s flags %s -> %s",
		      __entry->id, fbt_show_kind(__entry->kind),
		      (void *)__entry->ip, __entry->ip, __entry->opcode,
		      __entry->len, fbt_show_ekind(__entry->ekind),
		      fbt_show_eflags(__entry->flags_in),
		      fbt_show_eflags(__entry->flags_out))
);

TRACE_EVENT(fbt_violation,
	    TP_PROTO(unsigned int cpu, u64 seq, unsigned long ip, u8 ekind,
		     u8 opcode, u8 why, unsigned long flags_in,
		     unsigned long flags_out, u64 value),
	    TP_ARGS(cpu, seq, ip, ekind, opcode, why, flags_in, flags_out, value),
	    TP_STRUCT__entry(__field(u64, seq)
			     __field(unsigned long, ip)
			     __field(unsigned long, flags_in)
			     __field(unsigned long, flags_out)
			     __field(u64, value)
			     __field(unsigned int, cpu)
			     __field(u8, ekind)
			     __field(u8, opcode)
			     __field(u8, why)
	    ),
	    TP_fast_assign(__entry->seq = seq;
			   __entry->ip = ip;
			   __entry->flags_in = flags_in;
			   __entry->flags_out = flags_out;
			   __entry->value = value;
			   __entry->cpu = cpu;
			   __entry->ekind = ekind;
			   __entry->opcode = opcode;
			   __entry->why = why;
	    ),
	    TP_printk("VIOLATION cpu%u #%llu %pS %s (%s) IF %d -> %d flags %s -> %s image %llx",
		      __entry->cpu, __entry->seq, (void *)__entry->ip,
		      fbt_show_ekind(__entry->ekind),
		      fbt_show_why(__entry->why),
		      !!(__entry->flags_in & 0x200),
		      !!(__entry->flags_out & 0x200),
		      fbt_show_eflags(__entry->flags_in),
		      fbt_show_eflags(__entry->flags_out),
		      __entry->value)
);

TRACE_EVENT(fbt_history,
	    TP_PROTO(unsigned int cpu, u64 seq, s64 dt_ns, u8 kind,
		     unsigned long ip, u8 ekind, u8 opcode, unsigned long flags_in,
		     unsigned long flags_out, u64 value, u8 why, bool mark),
	    TP_ARGS(cpu, seq, dt_ns, kind, ip, ekind, opcode, flags_in, flags_out,
		    value, why, mark),
	    TP_STRUCT__entry(__field(u64, seq)
			     __field(s64, dt_ns)
			     __field(unsigned long, ip)
			     __field(unsigned long, flags_in)
			     __field(unsigned long, flags_out)
			     __field(u64, value)
			     __field(unsigned int, cpu)
			     __field(u8, kind)
			     __field(u8, ekind)
			     __field(u8, opcode)
			     __field(u8, why)
			     __field(bool, mark)
	    ),
	    TP_fast_assign(__entry->seq = seq;
			   __entry->dt_ns = dt_ns;
			   __entry->ip = ip;
			   __entry->flags_in = flags_in;
			   __entry->flags_out = flags_out;
			   __entry->value = value;
			   __entry->cpu = cpu;
			   __entry->kind = kind;
			   __entry->ekind = ekind;
			   __entry->opcode = opcode;
			   __entry->why = why;
			   __entry->mark = mark;
	    ),
	    TP_printk("%s cpu%u #%llu %lldns %s %pS %s flags %s -> %s image %llx %s",
		      __entry->mark ? "=>" : "  ", __entry->cpu, __entry->seq,
		      __entry->dt_ns,
		      fbt_show_kind(__entry->kind),
		      (void *)__entry->ip,
		      fbt_show_ekind(__entry->ekind),
		      fbt_show_eflags(__entry->flags_in),
		      fbt_show_eflags(__entry->flags_out),
		      __entry->value,
		      fbt_show_why(__entry->why))
);

#endif /* FBT_RECORDER_TRACE_H */

#undef TRACE_INCLUDE_PATH
#define TRACE_INCLUDE_PATH .
#undef TRACE_INCLUDE_FILE
#define TRACE_INCLUDE_FILE fbt_trace
#include <trace/define_trace.h>
