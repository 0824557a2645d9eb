// GNU-only calls that Swift's Glibc module does not show (it is built without
// _GNU_SOURCE), wrapped in small static inline functions. Nothing else here.
#ifndef CPARRUN_SHIMS_H
#define CPARRUN_SHIMS_H

#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <sched.h>

/// CPUs this process may run on (its affinity mask), or -1 when unknown.
static inline int parrun_affinity_cpu_count(void) {
    cpu_set_t set;
    CPU_ZERO(&set);
    if (sched_getaffinity(0, sizeof(set), &set) != 0) return -1;
    return CPU_COUNT(&set);
}

#endif
