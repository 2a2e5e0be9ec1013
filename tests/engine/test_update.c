/* The update layer's calls and their refusals (nbs_update.h, SPEC section 11): complete refuses an
 * incomplete image, a bad CRC and a bad header and activates nothing; writes past byteLength,
 * off the write unit or on a read-only secondary are refused; close without complete aborts; a
 * test image blocks a new update until confirmed; boot installs, reverts and rejects; the header
 * round-trips. Power cuts are update_cuts.c's. */
#include "update_fixture.h"

#include <criterion/criterion.h>
#include <stdlib.h>

static upd_fixture *f;
static uint8_t image[700];

static void setup(void) {
    f = upd_fixture_new("tiny", 3, false);
    cr_assert_not_null(f);
    upd_image_make(image, sizeof image, 2, 55);
}
static void teardown(void) {
    upd_fixture_free(f);
}

static nbs_update_state state_now(void) {
    nbs_update_status st;
    cr_assert_eq(nbs_update_status_get(&f->slots, &st), NBS_OK);
    return st.state;
}

TestSuite(update, .init = setup, .fini = teardown);

Test(update, header_round_trips_and_rejects_a_flipped_byte) {
    nbs_image_header h = {1234, {1, 2, 3, 4}, 0xCAFEF00Du}, back;
    uint8_t bytes[NBS_IMAGE_HEADER_BYTES];
    nbs_image_header_encode(&h, bytes);
    cr_assert_eq(nbs_image_header_decode(bytes, &back), NBS_OK);
    cr_assert(back.size == 1234 && back.version.minor == 2 && back.version.build == 4 &&
              back.crc == 0xCAFEF00Du);
    bytes[9] ^= 1;
    cr_assert_eq(nbs_image_header_decode(bytes, &back), NBS_E_UPDATE_IMAGE);
}

Test(update, append_in_odd_pieces_completes_and_boots_as_a_test) {
    cr_assert_eq(upd_image_send(f, image, sizeof image, 13), NBS_OK);
    cr_assert_eq(state_now(), NBS_UPDATE_PENDING);
    nbs_boot_info info;
    cr_assert_eq(nbs_update_boot(&f->slots, &info), NBS_OK);
    cr_assert(info.action == NBS_BOOT_INSTALLED && info.test && info.has_image &&
              info.version.major == 2);
    cr_assert_eq(nbs_update_confirm(&f->slots), NBS_OK);
    cr_assert_eq(nbs_update_boot(&f->slots, &info), NBS_OK);
    cr_assert(info.action == NBS_BOOT_RAN && !info.test && info.version.major == 2);
}

Test(update, random_access_in_any_order) {
    nbs_update u;
    cr_assert_eq(nbs_update_open(&u, &f->slots, 'w', sizeof image), NBS_OK);
    cr_assert_eq(nbs_update_write_at(&u, 512, image + 512, sizeof image - 512), NBS_OK);
    cr_assert_eq(nbs_update_write_at(&u, 0, image, 512), NBS_OK);
    uint32_t written, length;
    cr_assert_eq(nbs_update_progress(&u, &written, &length), NBS_OK);
    cr_assert(written == sizeof image && length == sizeof image);
    cr_assert_eq(nbs_update_complete(&u), NBS_OK);
    nbs_update_close(&u);
    cr_assert_eq(state_now(), NBS_UPDATE_PENDING);
}

Test(update, complete_refuses_an_incomplete_image_and_activates_nothing) {
    nbs_update u;
    cr_assert_eq(nbs_update_open(&u, &f->slots, 'a', sizeof image), NBS_OK);
    cr_assert_eq(nbs_update_write(&u, image, 400), NBS_OK);
    cr_assert_eq(nbs_update_complete(&u), NBS_E_UPDATE_INCOMPLETE);
    nbs_update_close(&u);
    /* Without byteLength: the header promises more than was written. */
    cr_assert_eq(nbs_update_open(&u, &f->slots, 'a', 0), NBS_OK);
    cr_assert_eq(nbs_update_write(&u, image, 400), NBS_OK);
    cr_assert_eq(nbs_update_complete(&u), NBS_E_UPDATE_INCOMPLETE);
    nbs_update_close(&u);
    cr_assert_eq(state_now(), NBS_UPDATE_IDLE);
}

Test(update, complete_refuses_a_bad_crc_and_a_bad_header) {
    image[300] ^= 0x40;
    cr_assert_eq(upd_image_send(f, image, sizeof image, 64), NBS_E_UPDATE_IMAGE);
    image[300] ^= 0x40;
    image[0] ^= 1; /* the magic */
    cr_assert_eq(upd_image_send(f, image, sizeof image, 64), NBS_E_UPDATE_IMAGE);
    cr_assert_eq(state_now(), NBS_UPDATE_IDLE);
}

Test(update, writes_past_byte_length_or_off_the_unit_are_refused) {
    nbs_update u;
    cr_assert_eq(nbs_update_open(&u, &f->slots, 'a', 100), NBS_OK);
    cr_assert_eq(nbs_update_write(&u, image, 101), NBS_E_RANGE);
    nbs_update_close(&u);
    cr_assert_eq(nbs_update_open(&u, &f->slots, 'w', 0), NBS_E_INVAL);    /* w needs byteLength */
    cr_assert_eq(nbs_update_open(&u, &f->slots, 'a', 1025), NBS_E_RANGE); /* past the slot */
    upd_fixture_free(f);
    f = upd_fixture_new("nrf52840", 3, false); /* W = 4 */
    cr_assert_eq(nbs_update_open(&u, &f->slots, 'w', 10), NBS_OK);
    cr_assert_eq(nbs_update_write_at(&u, 2, image, 4), NBS_E_ALIGN);
    cr_assert_eq(nbs_update_write_at(&u, 0, image, 3), NBS_E_ALIGN); /* not the end */
    cr_assert_eq(nbs_update_write_at(&u, 8, image, 2), NBS_OK);      /* the end: padded */
    cr_assert_eq(nbs_update_write_at(&u, 8, image, 4), NBS_E_RANGE);
    nbs_update_close(&u);
}

Test(update, a_read_only_secondary_is_refused) {
    upd_fixture_free(f);
    f = upd_fixture_new("tiny", 3, true);
    nbs_update u;
    cr_assert_eq(nbs_update_open(&u, &f->slots, 'a', 0), NBS_E_READ_ONLY);
    cr_assert_eq(nbs_update_write(&u, image, 4), NBS_E_UPDATE_CLOSED);
}

Test(update, close_without_complete_aborts_and_withdraws_a_pending_image) {
    cr_assert_eq(upd_image_send(f, image, sizeof image, 64), NBS_OK);
    nbs_update u;
    cr_assert_eq(nbs_update_open(&u, &f->slots, 'a', 0), NBS_OK); /* withdraws the pending one */
    cr_assert_eq(state_now(), NBS_UPDATE_IDLE);
    cr_assert_eq(nbs_update_write(&u, image, sizeof image), NBS_OK);
    nbs_update_close(&u);
    cr_assert_eq(nbs_update_complete(&u), NBS_E_UPDATE_CLOSED);
    nbs_boot_info info;
    cr_assert_eq(nbs_update_boot(&f->slots, &info), NBS_OK);
    cr_assert(info.action == NBS_BOOT_RAN && !info.has_image);
}

Test(update, a_test_image_blocks_a_new_update_until_confirmed_or_reverted) {
    cr_assert_eq(upd_image_send(f, image, sizeof image, 64), NBS_OK);
    nbs_boot_info info;
    cr_assert_eq(nbs_update_boot(&f->slots, &info), NBS_OK);
    nbs_update u;
    cr_assert_eq(nbs_update_open(&u, &f->slots, 'a', 0), NBS_E_UPDATE_STATE);
    cr_assert_eq(nbs_update_boot(&f->slots, &info), NBS_OK); /* unconfirmed: reverted */
    cr_assert(info.action == NBS_BOOT_REVERTED && !info.has_image && !info.test);
    cr_assert_eq(state_now(), NBS_UPDATE_IDLE);
    cr_assert_eq(nbs_update_confirm(&f->slots), NBS_OK); /* nothing to confirm: no write */
}

Test(update, confirm_refuses_a_pending_image) {
    cr_assert_eq(upd_image_send(f, image, sizeof image, 64), NBS_OK);
    cr_assert_eq(nbs_update_confirm(&f->slots), NBS_E_UPDATE_STATE);
}

Test(update, slots_of_unequal_geometry_are_refused) {
    f->parts[1].size = 768; /* secondary smaller than primary */
    cr_assert_eq(nbs_update_slots_check(&f->slots), NBS_E_GEOMETRY);
    f->parts[1].size = 1024;
    f->slots.buffer_size = 16;
    cr_assert_eq(nbs_update_slots_check(&f->slots), NBS_E_INVAL);
}

Test(update, strerror_names_the_update_codes) {
    static const struct {
        int code;
        const char *message;
    } expected[] = {
        {NBS_E_UPDATE_INCOMPLETE, "update image incomplete"},
        {NBS_E_UPDATE_IMAGE, "update image header or CRC bad"},
        {NBS_E_UPDATE_STATE, "update state forbids it"},
        {NBS_E_UPDATE_CLOSED, "update not open"},
        {NBS_E_FS_NOT_LINK - 1, "unknown error"}, /* the first code past the last */
    };
    for (size_t i = 0; i < sizeof expected / sizeof expected[0]; i++)
        cr_assert_str_eq(nbs_strerror(expected[i].code), expected[i].message);
    cr_assert_str_eq(nbs_update_state_name(NBS_UPDATE_REVERT), "revert");
}

Test(update, append_after_a_short_complete_goes_on_but_not_after_the_end) {
    upd_fixture_free(f);
    f = upd_fixture_new("stm32l4", 3, false); /* ECC words of 8 bytes: a unit programmed once */
    nbs_update u;
    cr_assert_eq(nbs_update_open(&u, &f->slots, 'a', sizeof image), NBS_OK);
    cr_assert_eq(nbs_update_write(&u, image, 333), NBS_OK);
    cr_assert_eq(nbs_update_complete(&u), NBS_E_UPDATE_INCOMPLETE); /* short: nothing programmed */
    cr_assert_eq(nbs_update_write(&u, image + 333, sizeof image - 333), NBS_OK);
    cr_assert_eq(nbs_update_complete(&u), NBS_OK);
    nbs_update_close(&u);
    /* Unknown length: a complete ends the image, its last unit programmed. */
    cr_assert_eq(nbs_update_open(&u, &f->slots, 'a', 0), NBS_OK);
    cr_assert_eq(nbs_update_write(&u, image, 333), NBS_OK);
    cr_assert_eq(nbs_update_complete(&u), NBS_E_UPDATE_INCOMPLETE);
    cr_assert_eq(nbs_update_write(&u, image + 333, 4), NBS_E_UPDATE_CLOSED);
    nbs_update_close(&u);
    cr_assert_eq(state_now(), NBS_UPDATE_IDLE);
}
