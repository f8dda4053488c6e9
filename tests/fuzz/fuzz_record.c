/* Fuzz target: the stored-record envelope. The input is opened as a sealed
 * box with a fixed key (length, version and tag checks), and is also sealed
 * as plaintext and opened through record_open (the JSON parse of what a
 * stored record decrypts to). */
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "base/mem.h"
#include "core/record.h"
#include "vault/aead.h"
#include "vault/secbuf.h"
#include "fuzz_common.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const uint8_t key[AEAD_KEY_LEN] = { 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16,
                                           17, 18, 19, 20, 21, 22, 23, 24, 25, 26, 27, 28, 29,
                                           30, 31, 32 };

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static const char place[] = "user:0:00000000-0000-4000-8000-000000000000:1";
    struct ctx c;
    uint8_t *pt = NULL, *box = NULL;
    size_t pt_len = 0, box_len = 0;
    json_t *doc = NULL;

    fuzz_init();
    memset(&c, 0, sizeof c);
    if (aead_open(key, place, sizeof place - 1, data, size, &pt, &pt_len) == BK_OK)
        secbuf_free(pt, pt_len + 1);
    else if (pt != NULL)
        __builtin_trap();
    if (record_open(&c, key, "user", "00000000-0000-4000-8000-000000000000", 1, data, size,
                    &doc) == BK_OK)
        json_decref(doc);
    doc = NULL;
    if (aead_seal(key, place, sizeof place - 1, data, size, &box, &box_len) != BK_OK)
        return 0;
    if (record_open(&c, key, "user", "00000000-0000-4000-8000-000000000000", 1, box, box_len,
                    &doc) == BK_OK) {
        if (doc == NULL)
            __builtin_trap();
        json_decref(doc);
    }
    /* a flipped byte never opens */
    if (box_len > 0) {
        box[size % box_len] ^= 0x01;
        if (aead_open(key, place, sizeof place - 1, box, box_len, &pt, &pt_len) == BK_OK)
            __builtin_trap();
    }
    mem_free(box);
    return 0;
}
