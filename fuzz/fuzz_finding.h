/* How a fuzz target reports a finding: one message naming the target and what went wrong,
 * then abort(), which libFuzzer saves as a crash input and a replay run reports as a failure. */
#ifndef NORBENCH_FUZZ_FINDING_H
#define NORBENCH_FUZZ_FINDING_H

__attribute__((format(printf, 2, 3))) _Noreturn void fuzz_finding(const char *target,
                                                                  const char *fmt, ...);

/* Reports a finding unless `cond` holds. */
#define FUZZ_REQUIRE(target, cond, ...)                                                            \
    do {                                                                                           \
        if (!(cond)) fuzz_finding(target, __VA_ARGS__);                                            \
    } while (0)

#endif
