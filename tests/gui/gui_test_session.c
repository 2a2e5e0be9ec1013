/* The visualizer's session, checked through its state (SDL's offscreen driver, no pixels): a
 * scenario stops at its end, stepping and running alike, and says so on the status line; w
 * turns the workload on, and then steps go on past the end; on an engine with no demo workload
 * (kv) w, a step and a torn cut are refused with the reason, while the Map façade (kvmap) runs
 * it, in the write-back mode its scenario names. */
#include "gui_app.h"
#include "gui_test_open.h"

#include <criterion/criterion.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

/* A scenario's text written to a temporary file. */
static void write_text(char *path, size_t n, const char *text) {
    snprintf(path, n, "/tmp/gui-session-%d.json", (int)getpid());
    FILE *f = fopen(path, "w");
    cr_assert(f);
    fputs(text, f);
    cr_assert_eq(fclose(f), 0);
}

/* A small map scenario on tiny. */
static void write_scenario(char *path, size_t n) {
    write_text(path, n,
               "{ \"name\": \"gui-session\", \"seed\": 3, \"flash\": { \"preset\": \"tiny\" },\n"
               "  \"engine\": { \"type\": \"map\", \"page_size\": 256 },\n"
               "  \"steps\": [ { \"store\": { \"key\": \"a\", \"value\": \"one\" } },\n"
               "             { \"store\": { \"key\": \"b\", \"value\": \"two\" } },\n"
               "             { \"remove\": { \"key\": \"a\" } } ] }\n");
}

static gui_app *open_scenario(const char *path, uint64_t steps) {
    return gui_test_open(path, "tiny", false, steps);
}

Test(gui_session, stepping_stops_at_the_end_of_a_scenario) {
    char path[64];
    write_scenario(path, sizeof path);
    gui_app *app = open_scenario(path, 0);
    size_t ticks = app->ses.tl.count;
    cr_assert_gt(ticks, 3, "the scenario's flash operations are not on the timeline");
    gui_app_seek(app, 0);
    for (size_t i = 0; i < ticks + 50; i++) gui_app_do(app, GUI_STEP);
    /* At the end, and nothing of the workload ran: the timeline is the scenario's. */
    cr_expect_eq(app->ses.cursor, ticks - 1);
    cr_expect_eq(app->ses.tl.count, ticks, "steps past the end added %zu ticks",
                 app->ses.tl.count - ticks);
    cr_expect_eq(app->ses.workload_ops, 0);
    cr_expect(strstr(app->ses.last_op, "end of the scenario"), "status: %s", app->ses.last_op);
    /* w: the workload goes on from the end. */
    gui_app_do(app, GUI_WORKLOAD);
    for (int i = 0; i < 5; i++) gui_app_do(app, GUI_STEP);
    cr_expect_eq(app->ses.workload_ops, 5);
    cr_expect_gt(app->ses.tl.count, ticks);
    gui_app_close(app);
    unlink(path);
}

Test(gui_session, running_pauses_at_the_end_of_a_scenario) {
    char path[64];
    write_scenario(path, sizeof path);
    gui_app *app = open_scenario(path, 0);
    size_t ticks = app->ses.tl.count;
    gui_app_seek(app, 0);
    gui_app_do(app, GUI_RUN);
    cr_assert(app->running);
    gui_app_run_for(app, 10.0 * ticks); /* time enough for every tick and more */
    cr_expect_not(app->running, "still running past the end of the scenario");
    cr_expect_eq(app->ses.cursor, ticks - 1);
    cr_expect_eq(app->ses.workload_ops, 0);
    /* With the workload on, running goes on past the end. */
    gui_app_do(app, GUI_WORKLOAD);
    gui_app_do(app, GUI_RUN);
    gui_app_run_for(app, 2.0);
    cr_expect(app->running);
    cr_expect_gt(app->ses.workload_ops, 0);
    gui_app_close(app);
    unlink(path);
}

Test(gui_session, a_demo_store_runs_its_workload_from_the_start) {
    gui_app *app = gui_test_open(NULL, "tiny", false, 7);
    cr_expect(app->ses.workload_on);
    cr_expect_eq(app->ses.workload_ops, 7);
    /* w turns it off: a step at the end runs nothing and says where it stopped. */
    gui_app_do(app, GUI_WORKLOAD);
    gui_app_do(app, GUI_STEP);
    cr_expect_eq(app->ses.workload_ops, 7);
    cr_expect(strstr(app->ses.last_op, "the end of the timeline"), "status: %s", app->ses.last_op);
    gui_app_close(app);
}

Test(gui_session, an_engine_without_a_demo_workload_refuses_it) {
    char path[64];
    write_text(
        path, sizeof path,
        "{ \"name\": \"gui-kv\", \"flash\": { \"preset\": \"tiny\" },\n"
        "  \"engine\": { \"type\": \"kv\" },\n"
        "  \"steps\": [ { \"kv_open\": { \"domain\": \"d\" } },\n"
        "             { \"kv_write\": { \"domain\": \"d\", \"key\": \"k\", \"value\": \"v\",\n"
        "                             \"format\": \"string\" } } ] }\n");
    gui_app *app = open_scenario(path, 0);
    const char *none = "no demo workload for the kv engine";
    size_t ticks = app->ses.tl.count;
    gui_app_do(app, GUI_WORKLOAD);
    cr_expect_not(app->ses.workload_on, "w turned a workload on for the kv engine");
    cr_expect(strstr(app->ses.last_op, none), "status after w: %s", app->ses.last_op);
    for (int i = 0; i < 3; i++) gui_app_do(app, GUI_STEP);
    cr_expect_eq(app->ses.workload_ops, 0);
    cr_expect_eq(app->ses.tl.count, ticks, "a step at the end wrote to the kv store");
    cr_expect(strstr(app->ses.last_op, none), "status after a step: %s", app->ses.last_op);
    /* A torn cut (prefix): nothing to tear, so the power goes off between operations. */
    gui_app_do(app, GUI_TORN_MODE);
    gui_app_do(app, GUI_TORN_MODE);
    gui_app_do(app, GUI_CUT);
    cr_expect_not(nor_is_powered(app->ses.dev));
    cr_expect(strstr(app->ses.last_op, "between operations, none to tear"), "status: %s",
              app->ses.last_op);
    gui_app_do(app, GUI_POWER_ON);
    cr_expect_eq(app->ses.mount_result, 0, "the kv store did not mount after the cut");
    gui_app_close(app);
    unlink(path);
}

Test(gui_session, the_map_facade_runs_the_workload_in_its_own_mode) {
    char path[64];
    write_text(path, sizeof path,
               "{ \"name\": \"gui-kvmap\", \"flash\": { \"preset\": \"tiny\" },\n"
               "  \"engine\": { \"type\": \"kvmap\", \"write_back\": { \"ram\": 512, "
               "\"threshold\": 40 } },\n"
               "  \"steps\": [ { \"store\": { \"key\": \"a\", \"value\": \"one\" } } ] }\n");
    gui_app *app = open_scenario(path, 0);
    cr_expect_eq(app->ses.no_workload[0], 0, "refused: %s", app->ses.no_workload);
    /* The window's engine is the scenario's: write-back, as the run made it. */
    cr_expect(app->ses.range.write_back);
    cr_expect_eq(app->ses.range.write_back_ram, 512);
    cr_expect_eq(app->ses.range.write_back_threshold, 40);
    gui_app_do(app, GUI_WORKLOAD);
    cr_expect(app->ses.workload_on);
    for (int i = 0; i < 5; i++) gui_app_do(app, GUI_STEP);
    cr_expect_eq(app->ses.workload_ops, 5);
    gui_app_close(app);
    unlink(path);
}
