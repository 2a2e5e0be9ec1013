/* Power cuts for the map and queue targets, decided by the input: where the next cut lands
 * (after how many more flash operations) and how it tears the program or erase; and what
 * follows every cut: power on (sometimes cut again inside the recovery mount), a cold mount
 * that must succeed, then the store must hold the old or the new outcome of the operation in
 * flight and nothing else, read the same twice, and again after one more cold mount. */
#ifndef NORBENCH_FUZZ_POWERCUT_H
#define NORBENCH_FUZZ_POWERCUT_H

#include "fuzz_input.h"
#include "fuzz_store.h"
#include "ref_model.h"

/* Arms the next cut from 3 input bytes: operations to wait, torn program and erase modes. */
void fuzz_cut_arm(fuzz_store *s, fuzz_input *in);
/* Powers on and mounts after a cut; the input may cut the power inside the first recovery
 * mounts (each must then fail with NBS_E_IO; the last must succeed). A failure is a finding. */
void fuzz_power_on_and_mount(fuzz_store *s, fuzz_input *in);
/* Recovers after a cut and checks the durability contract against the model (map_model for a
 * map store, queue_model for a queue store; the other may be NULL). A failure is a finding. */
void fuzz_cut_recover(fuzz_store *s, fuzz_input *in, ref_map *map_model, ref_queue *queue_model);
/* A clean reboot: a cold mount (a cut may still land in its repairs: then recovery as above),
 * then the store must equal the model. */
void fuzz_remount(fuzz_store *s, fuzz_input *in, ref_map *map_model, ref_queue *queue_model);
/* Disarms a cut that has not landed, then checks the store, remounts and checks it again. */
void fuzz_final_check(fuzz_store *s, const ref_map *map_model, const ref_queue *queue_model);

#endif
