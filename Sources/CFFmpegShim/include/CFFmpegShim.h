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

/// Decodes every audio frame of `path`'s best audio stream and reports how much audio it
/// holds (`duration_ms`, from the decoded sample count), with the codec, rate and channels.
/// Slower than `canto_probe`, but exact even for streams without a length in their headers
/// (a streamed FLAC, ADTS AAC). Returns 0, or a negative error with a message in `error`.
int canto_decode_duration(const char *path, canto_probe_info *info, char *error, size_t error_size);

/// FFmpeg's library versions, as "avformat X.Y.Z, avcodec X.Y.Z".
const char *canto_ffmpeg_version(void);

/// Silences FFmpeg's own logging below `level` (an AV_LOG_* value); Canto logs errors itself.
void canto_ffmpeg_set_log_level(int level);


// MARK: Transcoding (Transcode.c)

/// Output formats the transcoder writes.
typedef enum canto_output_format {
    CANTO_FORMAT_MP3 = 1,   ///< libmp3lame in a raw MP3 stream (audio/mpeg)
    CANTO_FORMAT_OPUS = 2,  ///< libopus in Ogg (audio/ogg)
    CANTO_FORMAT_AAC = 3,   ///< FFmpeg's aac encoder in ADTS (audio/aac)
    CANTO_FORMAT_FLAC = 4,  ///< flac in a native FLAC stream (audio/flac)
} canto_output_format;

/// How to transcode.
typedef struct canto_transcode_options {
    canto_output_format format;
    /// Target bitrate in kbit/s for lossy formats; ignored for FLAC. 0 picks the format's default.
    int32_t bitrate_kbps;
    /// Where to start, in milliseconds from the beginning of the track (accurate to a few ms).
    int64_t start_ms;
} canto_transcode_options;

/// An open transcode: a decoder, resampler, encoder and muxer. Not thread-safe; use from one
/// thread at a time. Freed with `canto_transcoder_close`.
typedef struct canto_transcoder canto_transcoder;

/// Opens `path` and prepares to produce `options.format`. Returns 0 and sets `*out`, or a negative
/// FFmpeg error code with a message in `error`; on failure nothing is left allocated.
int canto_transcoder_open(const char *path, const canto_transcode_options *options,
                          canto_transcoder **out, char *error, size_t error_size);

/// Produces up to `capacity` more output bytes into `buffer`. Returns the number written (> 0),
/// 0 at the end of the stream (after the muxer's trailer), or a negative error code with a message
/// in `error`. Work happens only inside this call, so a caller that stops reading stops encoding.
int64_t canto_transcoder_read(canto_transcoder *transcoder, uint8_t *buffer, size_t capacity,
                              char *error, size_t error_size);

/// Frees every FFmpeg object the transcoder holds. Safe with NULL and at any point of the stream.
void canto_transcoder_close(canto_transcoder *transcoder);

/// The output's MIME type ("audio/mpeg", "audio/ogg", "audio/aac", "audio/flac").
const char *canto_output_mime_type(canto_output_format format);

// MARK: Images (Image.c)

/// Decodes an image (JPEG, PNG, WebP, GIF, BMP: whatever libavcodec decodes), scales it with
/// libswscale so its longer side is at most `max_size` pixels keeping the aspect ratio (never
/// upscaling; 0 keeps the size), and encodes it as `format` ("jpeg" or "webp") at `quality`
/// (1-100). On success returns 0 and sets `*out` (free with `canto_free`) and `*out_size`;
/// otherwise a negative error code with a message in `error`.
int canto_image_scale(const uint8_t *data, size_t size, int32_t max_size, const char *format,
                      int32_t quality, uint8_t **out, size_t *out_size, int32_t *out_width,
                      int32_t *out_height, char *error, size_t error_size);

/// 1 when this FFmpeg build has an encoder for `format` ("jpeg" or "webp"), else 0.
int canto_image_can_encode(const char *format);

// MARK: Sonic analysis (Analysis.c)

/// The places of the features in `canto_analysis_result.features`.
enum {
    CANTO_FEATURE_LOUDNESS = 0,        ///< integrated loudness, LUFS (BS.1770 K-weighting, gated)
    CANTO_FEATURE_LOUDNESS_RANGE = 1,  ///< loudness range, LU (10th to 95th percentile of short-term loudness)
    CANTO_FEATURE_TEMPO = 2,           ///< beats per minute (onset-strength autocorrelation)
    CANTO_FEATURE_TEMPO_STRENGTH = 3,  ///< how periodic the onsets are, 0 to 1
    CANTO_FEATURE_KEY = 4,             ///< pitch class of the key, 0 (C) to 11 (B)
    CANTO_FEATURE_MODE = 5,            ///< 1 major, 0 minor
    CANTO_FEATURE_KEY_STRENGTH = 6,    ///< correlation with the key's profile, -1 to 1
    CANTO_FEATURE_CHROMA = 7,          ///< 12 values: each pitch class's share of the energy
    CANTO_FEATURE_MFCC_MEAN = 19,      ///< 13 values: mel-frequency cepstral coefficients' means
    CANTO_FEATURE_MFCC_VARIANCE = 32,  ///< 13 values: their variances
    CANTO_FEATURE_CENTROID = 45,       ///< spectral centroid, as a fraction of the Nyquist frequency
    CANTO_FEATURE_CENTROID_SD = 46,    ///< its standard deviation over frames
    CANTO_FEATURE_ROLLOFF = 47,        ///< frequency under which 85 % of the energy lies, fraction of Nyquist
    CANTO_FEATURE_FLATNESS = 48,       ///< spectral flatness (geometric over arithmetic mean, 40 Hz to 8 kHz), 0 to 1
    CANTO_FEATURE_FLUX = 49,           ///< spectral flux (how fast the spectrum's shape rises, frame to frame)
    CANTO_FEATURE_CREST = 50,          ///< crest factor, dB (peak over RMS)
    CANTO_FEATURE_RMS_SD = 51,         ///< standard deviation of frame RMS, dB (dynamics)
    CANTO_FEATURE_COUNT = 52,
};

/// What `canto_analyze` measured.
typedef struct canto_analysis_result {
    float features[CANTO_FEATURE_COUNT];
    /// Seconds of audio analysed, and the track's length (0 when the container does not say).
    float seconds_analyzed;
    float duration_seconds;
} canto_analysis_result;

/// Decodes `windows` windows of `window_seconds` each, spread over the track (the beginning of a
/// short track), to mono at 22,050 Hz, and measures them. Time per track does not depend on its
/// length. Returns 0, or a negative error with a reason in `error` ("silent" for a track with no
/// sound above -70 LUFS, "too little audio to analyse", FFmpeg's message for an unreadable file).
int canto_analyze(const char *path, int32_t window_seconds, int32_t windows, canto_analysis_result *result,
                  char *error, size_t error_size);

/// Frees memory the shim allocated for the caller.
void canto_free(void *pointer);

#ifdef __cplusplus
}
#endif

#endif
