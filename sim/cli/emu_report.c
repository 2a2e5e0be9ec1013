/* `norbench emu` results as text or JSON (emu_report.h). Compiled to nothing without Unicorn. */
#if NORBENCH_HAVE_EMU
#include "emu_report.h"

#include "cli.h"
#include "nor.h"

#include <cjson/cJSON.h>
#include <stdio.h>

static const char *const reg_names[16] = {"r0", "r1", "r2",  "r3",  "r4",  "r5", "r6", "r7",
                                          "r8", "r9", "r10", "r11", "r12", "sp", "lr", "pc"};

static bool shows_registers(const emu_boot *b) {
    return b->stop != EMU_STOP_IDLE;
}

static void print_uart(const char *text) {
    printf("  uart:");
    if (!*text) printf(" (nothing)");
    bool line_start = true;
    for (const char *p = text; *p; p++) {
        if (line_start) printf("\n    | ");
        line_start = *p == '\n';
        if (!line_start) putchar(*p);
    }
    printf("\n");
}

static void print_boot(size_t index, const emu_boot_report *r) {
    const emu_boot *b = &r->boot;
    printf("boot %zu: %s", index + 1, emu_stop_name(b->stop));
    if (b->stop != EMU_STOP_IDLE) printf(": %s", b->reason);
    printf("\n  %llu instructions, %.3f ms simulated; flash: %llu programs, %llu erases",
           (unsigned long long)b->instructions, (double)b->virtual_ns / 1e6,
           (unsigned long long)b->flash_programs, (unsigned long long)b->flash_erases);
    if (b->flash_violations)
        printf(", %llu rule violations", (unsigned long long)b->flash_violations);
    if (b->flash_refused)
        printf(", %llu flash controller requests ignored", (unsigned long long)b->flash_refused);
    printf("\n");
    if (shows_registers(b)) {
        printf("  pc 0x%08x%s%s%s", b->regs[15], *b->pc_symbol ? " (" : "", b->pc_symbol,
               *b->pc_symbol ? ")" : "");
        if (b->has_fault_addr) printf(", fault address 0x%08x", b->fault_addr);
        for (int i = 0; i < 15; i++)
            printf("%s%s 0x%08x", i % 5 ? " " : "\n  ", reg_names[i], b->regs[i]);
        printf(" xpsr 0x%08x\n", b->xpsr);
    }
    print_uart(b->uart);
    if (b->register_count) {
        printf("  unmodelled registers (reads/writes):");
        for (size_t i = 0; i < b->register_count; i++)
            printf("%s0x%08x %u/%u", i % 4 ? "  " : "\n    ", b->registers[i].addr,
                   b->registers[i].reads, b->registers[i].writes);
        printf("\n");
    }
    if (r->checked)
        printf("  expectation: %s%s\n", r->held ? "held" : "FAILED: ", r->held ? "" : r->why);
}

static cJSON *boot_json(const emu_boot_report *r) {
    const emu_boot *b = &r->boot;
    cJSON *o = cJSON_CreateObject();
    cJSON_AddStringToObject(o, "stop", emu_stop_name(b->stop));
    cJSON_AddStringToObject(o, "reason", b->reason);
    cJSON_AddStringToObject(o, "uart", b->uart);
    cJSON_AddNumberToObject(o, "instructions", (double)b->instructions);
    cJSON_AddNumberToObject(o, "simulated_us", (double)b->virtual_ns / 1e3);
    cJSON *flash = cJSON_AddObjectToObject(o, "flash");
    cJSON_AddNumberToObject(flash, "programs", (double)b->flash_programs);
    cJSON_AddNumberToObject(flash, "erases", (double)b->flash_erases);
    cJSON_AddNumberToObject(flash, "violations", (double)b->flash_violations);
    cJSON_AddNumberToObject(flash, "ignored_requests", (double)b->flash_refused);
    cJSON_AddNumberToObject(flash, "first_operation", (double)b->first_op);
    if (shows_registers(b)) {
        cJSON *regs = cJSON_AddObjectToObject(o, "registers");
        for (int i = 0; i < 16; i++) cJSON_AddNumberToObject(regs, reg_names[i], b->regs[i]);
        cJSON_AddNumberToObject(regs, "xpsr", b->xpsr);
        if (*b->pc_symbol) cJSON_AddStringToObject(o, "pc_symbol", b->pc_symbol);
        if (b->has_fault_addr) cJSON_AddNumberToObject(o, "fault_address", b->fault_addr);
    }
    cJSON *regs = cJSON_AddArrayToObject(o, "unmodelled_registers");
    for (size_t i = 0; i < b->register_count; i++) {
        cJSON *reg = cJSON_CreateObject();
        cJSON_AddNumberToObject(reg, "address", b->registers[i].addr);
        cJSON_AddNumberToObject(reg, "reads", b->registers[i].reads);
        cJSON_AddNumberToObject(reg, "writes", b->registers[i].writes);
        cJSON_AddItemToArray(regs, reg);
    }
    if (r->checked) {
        cJSON_AddBoolToObject(o, "expectation_held", r->held);
        if (!r->held) cJSON_AddStringToObject(o, "why", r->why);
    }
    cJSON_AddNumberToObject(o, "host_seconds", b->host_seconds);
    cJSON_AddNumberToObject(o, "reboot_seconds", b->reboot_seconds);
    return o;
}

static cJSON *boots_json(const emu_run_result *r) {
    cJSON *a = cJSON_CreateArray();
    for (size_t i = 0; i < r->boot_count; i++) cJSON_AddItemToArray(a, boot_json(&r->boots[i]));
    return a;
}

int emu_report_run(const emu_run_result *r, bool json) {
    if (json) {
        cJSON *root = cJSON_CreateObject();
        cJSON_AddItemToObject(root, "boots", boots_json(r));
        cJSON_AddNumberToObject(root, "operations", (double)r->operations);
        cJSON_AddNumberToObject(root, "cuts_missed", (double)r->cuts_missed);
        cJSON_AddBoolToObject(root, "passed", r->passed);
        return cli_print_json(root) ? CLI_EXIT_FAIL : r->passed ? CLI_EXIT_OK : CLI_EXIT_FAIL;
    }
    for (size_t i = 0; i < r->boot_count; i++) print_boot(i, &r->boots[i]);
    if (r->cuts_missed)
        printf("%zu cut%s never landed: the boots made %llu flash operations\n", r->cuts_missed,
               r->cuts_missed == 1 ? "" : "s", (unsigned long long)r->operations);
    printf("%s: %zu boots\n", r->passed ? "PASS" : "FAIL", r->boot_count);
    return r->passed ? CLI_EXIT_OK : CLI_EXIT_FAIL;
}

static const char *torn_name(const emu_campaign_failure *f) {
    return f->is_erase ? nor_torn_erase_name(f->torn) : nor_torn_program_name(f->torn);
}

int emu_report_campaign(const emu_campaign_result *r, const emu_campaign_options *o, bool json) {
    /* A boot without flash operations leaves nothing to cut: no proof, so no pass. */
    bool passed = r->reference_passed && r->tries > 0 && r->failed_tries == 0;
    double rate = r->seconds > 0 ? (double)r->instructions / r->seconds : 0;
    double reboot_mean = r->reboots ? r->reboot_seconds_total / (double)r->reboots : 0;
    if (json) {
        cJSON *root = cJSON_CreateObject();
        cJSON_AddItemToObject(root, "reference", boots_json(&r->reference));
        cJSON_AddBoolToObject(root, "reference_passed", r->reference_passed);
        cJSON_AddNumberToObject(root, "cut_boot", o->boots);
        cJSON_AddNumberToObject(root, "operations", (double)r->operations);
        cJSON_AddNumberToObject(root, "tries", (double)r->tries);
        cJSON_AddNumberToObject(root, "failed_tries", (double)r->failed_tries);
        cJSON *fails = cJSON_AddArrayToObject(root, "failures");
        for (size_t i = 0; i < r->failure_count; i++) {
            const emu_campaign_failure *f = &r->failures[i];
            cJSON *j = cJSON_CreateObject();
            cJSON_AddNumberToObject(j, "operation", (double)f->op);
            cJSON_AddStringToObject(j, "kind", f->is_erase ? "erase" : "program");
            cJSON_AddStringToObject(j, "torn", torn_name(f));
            cJSON_AddNumberToObject(j, "reboot", f->after_boot);
            cJSON_AddStringToObject(j, "why", f->why);
            cJSON_AddStringToObject(j, "uart", f->uart);
            cJSON_AddItemToArray(fails, j);
        }
        cJSON_AddNumberToObject(root, "instructions", (double)r->instructions);
        cJSON_AddNumberToObject(root, "seconds", r->seconds);
        cJSON_AddNumberToObject(root, "instructions_per_second", rate);
        cJSON_AddNumberToObject(root, "reboots", (double)r->reboots);
        cJSON_AddNumberToObject(root, "reboot_seconds_mean", reboot_mean);
        cJSON_AddNumberToObject(root, "reboot_seconds_max", r->reboot_seconds_max);
        cJSON_AddNumberToObject(root, "restore_seconds_max", r->restore_seconds_max);
        cJSON_AddBoolToObject(root, "passed", passed);
        return cli_print_json(root) ? CLI_EXIT_FAIL : passed ? CLI_EXIT_OK : CLI_EXIT_FAIL;
    }
    for (size_t i = 0; i < r->reference.boot_count; i++) print_boot(i, &r->reference.boots[i]);
    if (!r->reference_passed) {
        printf("FAIL: the boots without cuts do not meet the expectation; no campaign run\n");
        return CLI_EXIT_FAIL;
    }
    printf("campaign: %llu flash operations of boot %u, %llu tries (operation x torn mode), "
           "each followed by %u reboot%s\n",
           (unsigned long long)r->operations, o->boots, (unsigned long long)r->tries,
           o->after_boots, o->after_boots == 1 ? "" : "s");
    for (size_t i = 0; i < r->failure_count; i++) {
        const emu_campaign_failure *f = &r->failures[i];
        printf("  FAIL operation %llu (%s) torn %s: ", (unsigned long long)f->op,
               f->is_erase ? "erase" : "program", torn_name(f));
        if (f->after_boot) printf("reboot %u: ", f->after_boot);
        printf("%s\n", f->why);
        print_uart(f->uart);
    }
    if (r->failed_tries > r->failure_count)
        printf("  ... and %llu more failed tries\n",
               (unsigned long long)(r->failed_tries - r->failure_count));
    printf("%.2f s of CPU, %.1f M instructions emulated (%.0f M/s); %llu reboots, %.1f us each "
           "(slowest "
           "%.1f us); flash back to the snapshot: slowest %.1f us\n",
           r->seconds, (double)r->instructions / 1e6, rate / 1e6, (unsigned long long)r->reboots,
           reboot_mean * 1e6, r->reboot_seconds_max * 1e6, r->restore_seconds_max * 1e6);
    if (r->tries == 0)
        printf("nothing was cut: boot %u made no flash operation in the torn modes chosen\n",
               o->boots);
    printf("%s: %llu of %llu tries failed\n", passed ? "PASS" : "FAIL",
           (unsigned long long)r->failed_tries, (unsigned long long)r->tries);
    return passed ? CLI_EXIT_OK : CLI_EXIT_FAIL;
}
#endif
