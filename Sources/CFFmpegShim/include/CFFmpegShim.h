// CFFmpegShim: a narrow C API over FFmpeg's libraries. Swift never sees FFmpeg's types.
#ifndef CANTO_FFMPEG_SHIM_H
#define CANTO_FFMPEG_SHIM_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/// What a probe learns about a file's first audio stream. Zero or empty where unknown.
typedef struct canto_probe_info {
    int64_t duration_ms;
    int32_t bitrate_kbps;
    int32_t sample_rate;
    int32_t channels;
    int32_t bit_depth;
    /// The codec's short name ("mp3", "flac", "aac", "alac", "opus", "vorbis", "ape", ...).
    char codec[32];
    /// The container's short name as libavformat names it ("mp3", "flac", "ogg", "mov,mp4,...").
    char container[64];
} canto_probe_info;

/// Probes `path`: opens it, reads stream information and fills `info` from the best audio
/// stream. Returns 0 on success; otherwise a negative FFmpeg error code with a message in
/// `error` (always NUL-terminated).
int canto_probe(const char *path, canto_probe_info *info, char *error, size_t error_size);

/// FFmpeg's library versions, as "avformat X.Y.Z, avcodec X.Y.Z".
const char *canto_ffmpeg_version(void);

/// Silences FFmpeg's own logging below `level` (an AV_LOG_* value); Canto logs errors itself.
void canto_ffmpeg_set_log_level(int level);

#ifdef __cplusplus
}
#endif

#endif
