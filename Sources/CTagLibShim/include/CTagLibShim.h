// CTagLibShim: a narrow C API over TagLib's C++ API.
//
// Every entry point catches every C++ exception; a failure is reported through the
// return value and an error message, never by unwinding into Swift.
#ifndef CANTO_TAGLIB_SHIM_H
#define CANTO_TAGLIB_SHIM_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/// One tag value. Keys are TagLib's unified PropertyMap keys ("TITLE", "ARTIST",
/// "MUSICBRAINZ_ALBUMID", ...). A key with several values appears once per value,
/// in the order TagLib returned them.
typedef struct canto_tag_field {
    char *key;
    char *value;
} canto_tag_field;

/// Everything read from one file. Allocated by canto_tags_read, freed by canto_tags_free.
typedef struct canto_tags {
    /// Audio properties; 0 where unknown.
    int64_t duration_ms;
    int32_t bitrate_kbps;
    int32_t sample_rate;
    int32_t channels;
    int32_t bit_depth;
    /// The codec inside a container where TagLib knows it ("aac", "alac"), else empty.
    char codec[16];

    size_t field_count;
    canto_tag_field *fields;

    /// The front cover (or the first picture when none is marked front), NULL when absent
    /// or when it was not asked for.
    unsigned char *picture;
    size_t picture_size;
    char picture_mime[64];

    /// Synced lyrics as LRC text ("[mm:ss.xx]line" per line), from an ID3v2 SYLT frame;
    /// NULL when absent.
    char *synced_lyrics;
} canto_tags;

/// Reads tags, audio properties and (when want_picture is non-zero) the front cover.
/// Returns NULL when TagLib cannot read the file, with a message in `error`.
canto_tags *canto_tags_read(const char *path, int want_picture, char *error, size_t error_size);

/// Frees a result of canto_tags_read. NULL is allowed.
void canto_tags_free(canto_tags *tags);

/// Replaces the file's tags with `fields` (PropertyMap keys; repeated keys give several
/// values) and, when picture is not NULL, sets it as the front cover. Returns 0 on success,
/// -1 with a message in `error`. Used by the library generator and by tests.
int canto_tags_write(const char *path, const canto_tag_field *fields, size_t field_count,
                     const unsigned char *picture, size_t picture_size, const char *picture_mime,
                     char *error, size_t error_size);

/// The TagLib version Canto was built against, as "X.Y.Z".
const char *canto_taglib_version(void);

#ifdef __cplusplus
}
#endif

#endif
