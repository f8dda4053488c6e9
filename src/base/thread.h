/* The server's own threads: a name each, so that per-thread tools (top -H,
 * perf --sort comm, /proc/PID/task/TID/comm) tell them apart. */
#ifndef BK_THREAD_H
#define BK_THREAD_H

/* Name the calling thread <name> (at most 15 characters are kept); best
 * effort, a failure changes nothing else. */
void thread_name(const char *name);

#endif
