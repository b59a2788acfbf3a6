// Sonic analysis: decodes a few windows of a track to mono float at 22,050 Hz and computes a
// compact feature vector (loudness, tempo, key, timbre, spectral shape, dynamics). FFTs are
// libavutil's av_tx; the rest is arithmetic on the spectra.
#include "CFFmpegShim.h"

#include <libavcodec/avcodec.h>
#include <libavformat/avformat.h>
#include <libavutil/avutil.h>
#include <libavutil/channel_layout.h>
#include <libavutil/mem.h>
#include <libavutil/tx.h>
#include <libswresample/swresample.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define RATE 22050
#define FRAME 2048
#define HOP 512
#define BINS (FRAME / 2 + 1)
#define MEL_BANDS 40
#define MFCC 13
#define CHROMA_FRAME 8192
#define CHROMA_BINS (CHROMA_FRAME / 2 + 1)
#define MIN_LAG 10   // 258 BPM at 43 frames a second
#define MAX_LAG 64   // 40 BPM

static void message(char *error, size_t size, const char *text) {
    if (size > 0) snprintf(error, size, "%s", text);
}

static int fail_code(int code, char *error, size_t size) {
    char text[AV_ERROR_MAX_STRING_SIZE] = {0};
    av_strerror(code, text, sizeof text);
    message(error, size, text);
    return code < 0 ? code : AVERROR_UNKNOWN;
}

// MARK: - Decoding windows

typedef struct decoder_state {
    AVFormatContext *format;
    AVCodecContext *codec;
    SwrContext *swr;
    AVPacket *packet;
    AVFrame *frame;
    int stream;
    AVChannelLayout swr_layout;
    int swr_rate, swr_format;
} decoder_state;

static void decoder_close(decoder_state *d) {
    swr_free(&d->swr);
    av_channel_layout_uninit(&d->swr_layout);
    av_packet_free(&d->packet);
    av_frame_free(&d->frame);
    avcodec_free_context(&d->codec);
    avformat_close_input(&d->format);
}

static int decoder_open(decoder_state *d, const char *path, char *error, size_t size) {
    int rc = avformat_open_input(&d->format, path, NULL, NULL);
    if (rc < 0) return fail_code(rc, error, size);
    rc = avformat_find_stream_info(d->format, NULL);
    if (rc < 0) return fail_code(rc, error, size);
    d->stream = av_find_best_stream(d->format, AVMEDIA_TYPE_AUDIO, -1, -1, NULL, 0);
    if (d->stream < 0) {
        message(error, size, "no audio stream");
        return d->stream;
    }
    AVCodecParameters *params = d->format->streams[d->stream]->codecpar;
    const AVCodec *decoder = avcodec_find_decoder(params->codec_id);
    if (!decoder) {
        message(error, size, "no decoder for the audio stream");
        return AVERROR_DECODER_NOT_FOUND;
    }
    d->codec = avcodec_alloc_context3(decoder);
    d->packet = av_packet_alloc();
    d->frame = av_frame_alloc();
    if (!d->codec || !d->packet || !d->frame) return fail_code(AVERROR(ENOMEM), error, size);
    rc = avcodec_parameters_to_context(d->codec, params);
    if (rc >= 0) rc = avcodec_open2(d->codec, decoder, NULL);
    if (rc < 0) return fail_code(rc, error, size);
    return 0;
}

/// The track's length in milliseconds, or 0 when the container does not say.
static int64_t decoder_duration_ms(decoder_state *d) {
    AVStream *stream = d->format->streams[d->stream];
    if (stream->duration != AV_NOPTS_VALUE && stream->duration > 0)
        return av_rescale_q(stream->duration, stream->time_base, (AVRational){1, 1000});
    if (d->format->duration != AV_NOPTS_VALUE && d->format->duration > 0)
        return d->format->duration / (AV_TIME_BASE / 1000);
    return 0;
}

static int ensure_swr(decoder_state *d, AVFrame *f) {
    if (d->swr && f->format == d->swr_format && f->sample_rate == d->swr_rate &&
        av_channel_layout_compare(&f->ch_layout, &d->swr_layout) == 0)
        return 0;
    swr_free(&d->swr);
    av_channel_layout_uninit(&d->swr_layout);
    AVChannelLayout mono = AV_CHANNEL_LAYOUT_MONO;
    int rc = swr_alloc_set_opts2(&d->swr, &mono, AV_SAMPLE_FMT_FLT, RATE, &f->ch_layout, f->format,
                                 f->sample_rate, 0, NULL);
    if (rc >= 0) rc = swr_init(d->swr);
    if (rc < 0) {
        swr_free(&d->swr);
        return rc;
    }
    d->swr_format = f->format;
    d->swr_rate = f->sample_rate;
    return av_channel_layout_copy(&d->swr_layout, &f->ch_layout);
}

/// Decodes from `start_ms` until `want` samples are in `out` (or the stream ends); returns how
/// many it holds, or a negative error.
static int64_t decode_window(decoder_state *d, int64_t start_ms, float *out, int64_t want) {
    AVStream *stream = d->format->streams[d->stream];
    if (start_ms > 0) {
        int64_t target = av_rescale_q(start_ms, (AVRational){1, 1000}, stream->time_base);
        if (av_seek_frame(d->format, d->stream, target, AVSEEK_FLAG_BACKWARD) < 0) start_ms = 0;
        avcodec_flush_buffers(d->codec);
        if (d->swr) swr_init(d->swr);
    }
    int64_t have = 0;
    int draining = 0;
    while (have < want) {
        int rc = avcodec_receive_frame(d->codec, d->frame);
        if (rc == AVERROR(EAGAIN)) {
            if (draining) break;
            rc = av_read_frame(d->format, d->packet);
            if (rc == AVERROR_EOF) {
                draining = 1;
                avcodec_send_packet(d->codec, NULL);
                continue;
            }
            if (rc < 0) return have > 0 ? have : rc;
            if (d->packet->stream_index == d->stream) {
                rc = avcodec_send_packet(d->codec, d->packet);
                av_packet_unref(d->packet);
                if (rc < 0 && rc != AVERROR(EAGAIN) && rc != AVERROR_INVALIDDATA) return have > 0 ? have : rc;
            } else {
                av_packet_unref(d->packet);
            }
            continue;
        }
        if (rc == AVERROR_EOF) break;
        if (rc < 0) return have > 0 ? have : rc;
        // Frames before the window's start (a seek lands on a packet boundary) are skipped.
        if (start_ms > 0 && d->frame->pts != AV_NOPTS_VALUE) {
            int64_t at = av_rescale_q(d->frame->pts, stream->time_base, (AVRational){1, 1000});
            if (at + 100 < start_ms) {
                av_frame_unref(d->frame);
                continue;
            }
        }
        rc = ensure_swr(d, d->frame);
        if (rc < 0) return rc;
        int room = (int)(want - have);
        uint8_t *dst = (uint8_t *)(out + have);
        int n = swr_convert(d->swr, &dst, room, (const uint8_t **)d->frame->extended_data, d->frame->nb_samples);
        av_frame_unref(d->frame);
        if (n < 0) return n;
        have += n;
    }
    return have;
}

// MARK: - Loudness (EBU R128 / ITU-R BS.1770, one channel)

typedef struct biquad { double b0, b1, b2, a1, a2, z1, z2; } biquad;

static double biquad_run(biquad *f, double x) {
    double y = f->b0 * x + f->z1;
    f->z1 = f->b1 * x - f->a1 * y + f->z2;
    f->z2 = f->b2 * x - f->a2 * y;
    return y;
}

/// BS.1770's K-weighting (a high shelf, then a high-pass) designed for this sample rate.
static void k_weighting(biquad *shelf, biquad *highpass) {
    double f0 = 1681.974450955533, gain = 3.999843853973347, q = 0.7071752369554196;
    double k = tan(M_PI * f0 / RATE);
    double vh = pow(10.0, gain / 20.0), vb = pow(vh, 0.4996667741545416);
    double a0 = 1.0 + k / q + k * k;
    *shelf = (biquad){(vh + vb * k / q + k * k) / a0, 2.0 * (k * k - vh) / a0, (vh - vb * k / q + k * k) / a0,
                      2.0 * (k * k - 1.0) / a0, (1.0 - k / q + k * k) / a0, 0, 0};
    f0 = 38.13547087602444;
    q = 0.5003270373238773;
    k = tan(M_PI * f0 / RATE);
    a0 = 1.0 + k / q + k * k;
    *highpass = (biquad){1.0, -2.0, 1.0, 2.0 * (k * k - 1.0) / a0, (1.0 - k / q + k * k) / a0, 0, 0};
}

static int compare_doubles(const void *a, const void *b) {
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

/// Mean squares of blocks of `block` samples every `step`, from K-weighted `power` (per sample).
static int64_t blocks(const double *power, int64_t count, int64_t block, int64_t step, double *out) {
    int64_t n = 0;
    for (int64_t start = 0; start + block <= count; start += step) {
        double sum = 0;
        for (int64_t i = start; i < start + block; i++) sum += power[i];
        out[n++] = sum / (double)block;
    }
    return n;
}

static double lufs(double mean_square) { return -0.691 + 10.0 * log10(mean_square + 1e-20); }

// MARK: - Analysis

typedef struct accumulators {
    double mel[MEL_BANDS][BINS];  // triangular weights
    double mfcc_sum[MFCC], mfcc_sq[MFCC];
    double chroma[12];
    double autocorrelation[2 * MAX_LAG + 1];
    double centroid, centroid_sq, rolloff, flatness, flux, shape_weight, flux_weight;
    double rms_db, rms_db_sq;
    int64_t frames;
    double peak, energy;
    int64_t samples;
} accumulators;

static double hz_to_mel(double hz) { return 2595.0 * log10(1.0 + hz / 700.0); }
static double mel_to_hz(double mel) { return 700.0 * (pow(10.0, mel / 2595.0) - 1.0); }

static void mel_filters(accumulators *acc) {
    double low = hz_to_mel(20.0), high = hz_to_mel(RATE / 2.0);
    double edges[MEL_BANDS + 2];
    for (int i = 0; i < MEL_BANDS + 2; i++) edges[i] = mel_to_hz(low + (high - low) * i / (MEL_BANDS + 1));
    for (int band = 0; band < MEL_BANDS; band++) {
        for (int k = 0; k < BINS; k++) {
            double f = (double)k * RATE / FRAME, w = 0;
            if (f > edges[band] && f <= edges[band + 1])
                w = (f - edges[band]) / (edges[band + 1] - edges[band]);
            else if (f > edges[band + 1] && f < edges[band + 2])
                w = (edges[band + 2] - f) / (edges[band + 2] - edges[band + 1]);
            acc->mel[band][k] = w;
        }
    }
}

/// Frame-level features of one window of `count` samples.
static void analyse_window(const float *samples, int64_t count, accumulators *acc, AVTXContext *tx, av_tx_fn fft,
                           float *input, AVComplexFloat *spectrum, double *hann) {
    if (count < FRAME) return;
    int64_t frames = (count - FRAME) / HOP + 1;
    double *onset = calloc((size_t)frames, sizeof(double));
    double *previous = calloc(BINS, sizeof(double));
    double *previous_shape = calloc(BINS, sizeof(double));
    if (!onset || !previous || !previous_shape) {
        free(onset);
        free(previous);
        free(previous_shape);
        return;
    }
    double power[BINS], magnitude[BINS];
    for (int64_t frame = 0; frame < frames; frame++) {
        const float *x = samples + frame * HOP;
        double square = 0;
        for (int i = 0; i < FRAME; i++) {
            input[i] = (float)(x[i] * hann[i]);
            square += (double)x[i] * x[i];
        }
        // Older libavutil versions pack the Nyquist term into bin 0's imaginary part and leave the
        // last bin unwritten: the spectrum is cleared first, and only DC's real part and the bins
        // below Nyquist are used.
        memset(spectrum, 0, BINS * sizeof(AVComplexFloat));
        fft(tx, spectrum, input, sizeof(float));
        spectrum[0].im = 0;
        spectrum[BINS - 1].re = spectrum[BINS - 1].im = 0;
        double total = 1e-20, weighted = 0, flux = 0, peak = 0, magnitude_total = 0;
        for (int k = 0; k < BINS; k++) {
            double re = spectrum[k].re, im = spectrum[k].im;
            power[k] = re * re + im * im;
            total += power[k];
            weighted += power[k] * k;
            if (power[k] > peak) peak = power[k];
            magnitude[k] = sqrt(power[k]);
            magnitude_total += magnitude[k];
            double compressed = log1p(1000.0 * magnitude[k]);
            double rise = compressed - previous[k];
            if (rise > 0) flux += rise;
            previous[k] = compressed;
        }
        onset[frame] = frame > 0 ? flux : 0;
        // Flatness and the spectral flux of the shape over 40 Hz to 8 kHz, with a floor 60 dB under
        // the frame's peak: what is measured is the sound, not the noise floor of silent bins.
        double floor = peak * 1e-6, log_sum = 0, arithmetic = 0, shape_flux = 0;
        int used = 0;
        for (int k = 4; k < BINS && k * (double)RATE / FRAME <= 8000.0; k++) {
            log_sum += log(power[k] + floor);
            arithmetic += power[k] + floor;
            used++;
            double share = magnitude_total > 0 ? magnitude[k] / magnitude_total : 0;
            double rise = share - previous_shape[k];
            if (rise > 0) shape_flux += rise * rise;
            previous_shape[k] = share;
        }
        double rms = sqrt(square / FRAME);
        if (rms < 1e-5) continue;  // silence inside the window says nothing about the sound
        double db = 20.0 * log10(rms);
        acc->rms_db += db;
        acc->rms_db_sq += db * db;
        // Spectral shape: each frame counts by its energy, so what is heard (not a click's fading
        // tail, or where a frame happens to cut a note) sets the figure.
        double w = square;
        acc->shape_weight += w;
        double centroid = weighted / total / (BINS - 1);
        acc->centroid += w * centroid;
        acc->centroid_sq += w * centroid * centroid;
        double cumulative = 0;
        int rolloff = BINS - 1;
        for (int k = 0; k < BINS; k++) {
            cumulative += power[k];
            if (cumulative >= 0.85 * total) {
                rolloff = k;
                break;
            }
        }
        acc->rolloff += w * (double)rolloff / (BINS - 1);
        acc->flatness += w * (used > 0 ? exp(log_sum / used) / (arithmetic / used) : 0);
        if (frame > 0) {
            acc->flux += w * sqrt(shape_flux);
            acc->flux_weight += w;
        }
        // MFCC: log mel energies, DCT-II.
        double mel[MEL_BANDS];
        for (int band = 0; band < MEL_BANDS; band++) {
            double sum = 0;
            for (int k = 0; k < BINS; k++) sum += acc->mel[band][k] * power[k];
            mel[band] = log(sum + 1e-10);
        }
        for (int c = 0; c < MFCC; c++) {
            double sum = 0;
            for (int band = 0; band < MEL_BANDS; band++) sum += mel[band] * cos(M_PI * c * (band + 0.5) / MEL_BANDS);
            acc->mfcc_sum[c] += sum;
            acc->mfcc_sq[c] += sum * sum;
        }
        acc->frames++;
    }
    // Tempo: the onset envelope's autocorrelation (mean removed, half-wave rectified).
    double mean = 0;
    for (int64_t i = 0; i < frames; i++) mean += onset[i];
    mean /= (double)frames;
    for (int64_t i = 0; i < frames; i++) onset[i] = onset[i] > mean ? onset[i] - mean : 0;
    for (int lag = 0; lag <= 2 * MAX_LAG; lag++) {
        double sum = 0;
        for (int64_t i = lag; i < frames; i++) sum += onset[i] * onset[i - lag];
        acc->autocorrelation[lag] += sum;
    }
    free(onset);
    free(previous);
    free(previous_shape);
}

/// Chroma: each pitch class's share of the magnitude, 65 Hz to 4 kHz, from long frames (8,192
/// samples, 2.7 Hz a bin) so that low notes fall in their own semitone.
static void chroma_window(const float *samples, int64_t count, accumulators *acc, av_tx_fn fft, AVTXContext *tx,
                          float *input, AVComplexFloat *spectrum, const double *hann, const int *pitch_class) {
    for (int64_t start = 0; start + CHROMA_FRAME <= count; start += CHROMA_FRAME / 2) {
        double square = 0;
        for (int i = 0; i < CHROMA_FRAME; i++) {
            input[i] = (float)(samples[start + i] * hann[i]);
            square += (double)samples[start + i] * samples[start + i];
        }
        if (sqrt(square / CHROMA_FRAME) < 1e-5) continue;
        memset(spectrum, 0, CHROMA_BINS * sizeof(AVComplexFloat));
        fft(tx, spectrum, input, sizeof(float));
        double frame[12] = {0}, total = 0;
        for (int k = 1; k < CHROMA_BINS; k++) {
            if (pitch_class[k] < 0) continue;
            double magnitude = sqrt(spectrum[k].re * spectrum[k].re + spectrum[k].im * spectrum[k].im);
            frame[pitch_class[k]] += magnitude;
            total += magnitude;
        }
        if (total <= 0) continue;
        for (int i = 0; i < 12; i++) acc->chroma[i] += frame[i] / total;
    }
}

static const double major_profile[12] = {6.35, 2.23, 3.48, 2.33, 4.38, 4.09, 2.52, 5.19, 2.39, 3.66, 2.29, 2.88};
static const double minor_profile[12] = {6.33, 2.68, 3.52, 5.38, 2.60, 3.53, 2.54, 4.75, 3.98, 2.69, 3.34, 3.17};

static double correlation(const double *a, const double *b, int rotation) {
    double ma = 0, mb = 0;
    for (int i = 0; i < 12; i++) {
        ma += a[i];
        mb += b[i];
    }
    ma /= 12;
    mb /= 12;
    double num = 0, da = 0, db = 0;
    for (int i = 0; i < 12; i++) {
        double x = a[(i + rotation) % 12] - ma, y = b[i] - mb;
        num += x * y;
        da += x * x;
        db += y * y;
    }
    return da > 0 && db > 0 ? num / sqrt(da * db) : 0;
}

int canto_analyze(const char *path, int32_t window_seconds, int32_t windows, canto_analysis_result *result,
                  char *error, size_t error_size) {
    memset(result, 0, sizeof *result);
    message(error, error_size, "");
    if (window_seconds < 1) window_seconds = 10;
    if (windows < 1) windows = 3;
    decoder_state d = {0};
    int rc = decoder_open(&d, path, error, error_size);
    if (rc < 0) {
        decoder_close(&d);
        return rc;
    }
    int64_t duration = decoder_duration_ms(&d);
    // A header claiming more than a week (or less than nothing) is not believed: the track is read
    // from its start, and the window arithmetic below cannot overflow.
    if (duration < 0 || duration > (int64_t)7 * 24 * 3600 * 1000) duration = 0;
    result->duration_seconds = (float)(duration / 1000.0);
    int64_t per_window = (int64_t)window_seconds * RATE;
    int64_t total = per_window * windows;
    float *audio = av_malloc_array((size_t)total, sizeof(float));
    int64_t starts[16] = {0}, lengths[16] = {0};
    int count = 0;
    int64_t have = 0;
    if (!audio) {
        decoder_close(&d);
        return fail_code(AVERROR(ENOMEM), error, error_size);
    }
    if (duration <= 0 || duration < (int64_t)window_seconds * windows * 1000 + 10000 || windows > 16) {
        // Short (or of unknown length): the beginning, up to the whole budget.
        int64_t n = decode_window(&d, 0, audio, total);
        if (n > 0) {
            starts[0] = 0;
            lengths[0] = n;
            count = 1;
            have = n;
        } else {
            rc = (int)n;
        }
    } else {
        // Windows spread over the track (the middle of equal parts): time per track does not grow
        // with its length.
        for (int w = 0; w < windows; w++) {
            int64_t centre = duration * (2 * w + 1) / (2 * windows);
            int64_t start = centre - (int64_t)window_seconds * 500;
            int64_t n = decode_window(&d, start, audio + have, per_window);
            if (n <= 0) continue;
            starts[count] = have;
            lengths[count] = n;
            count++;
            have += n;
        }
    }
    decoder_close(&d);
    if (have < FRAME * 4) {
        av_free(audio);
        if (rc < 0) return fail_code(rc, error, error_size);
        message(error, error_size, "too little audio to analyse");
        return AVERROR_INVALIDDATA;
    }

    // Loudness over the windows: 400 ms blocks every 100 ms (integrated), 3 s every 1 s (range).
    double *power = malloc((size_t)have * sizeof(double));
    // Each window gives at most its length over the step, plus one, blocks.
    double *momentary = malloc((size_t)(have / (RATE / 10) + count + 1) * sizeof(double));
    double *short_term = malloc((size_t)(have / RATE + count + 1) * sizeof(double));
    accumulators *acc = calloc(1, sizeof *acc);
    float *input = av_malloc(FRAME * sizeof(float));
    AVComplexFloat *spectrum = av_malloc(BINS * sizeof(AVComplexFloat));
    double *hann = malloc(FRAME * sizeof(double));
    AVTXContext *tx = NULL, *chroma_tx = NULL;
    av_tx_fn fft = NULL, chroma_fft = NULL;
    float scale = 1.0f;
    float *chroma_input = av_malloc(CHROMA_FRAME * sizeof(float));
    AVComplexFloat *chroma_spectrum = av_malloc(CHROMA_BINS * sizeof(AVComplexFloat));
    double *chroma_hann = malloc(CHROMA_FRAME * sizeof(double));
    int *pitch_class = malloc(CHROMA_BINS * sizeof(int));
    rc = (power && momentary && short_term && acc && input && spectrum && hann && chroma_input && chroma_spectrum &&
          chroma_hann && pitch_class)
             ? av_tx_init(&tx, &fft, AV_TX_FLOAT_RDFT, 0, FRAME, &scale, 0)
             : AVERROR(ENOMEM);
    if (rc >= 0) rc = av_tx_init(&chroma_tx, &chroma_fft, AV_TX_FLOAT_RDFT, 0, CHROMA_FRAME, &scale, 0);
    if (rc < 0) goto done;
    int64_t momentary_count = 0, short_count = 0;
    for (int w = 0; w < count; w++) {
        biquad shelf, highpass;
        k_weighting(&shelf, &highpass);
        for (int64_t i = 0; i < lengths[w]; i++) {
            double x = audio[starts[w] + i];
            double y = biquad_run(&highpass, biquad_run(&shelf, x));
            power[starts[w] + i] = y * y;
            double magnitude = fabs(x);
            if (magnitude > acc->peak) acc->peak = magnitude;
            acc->energy += x * x;
        }
        momentary_count += blocks(power + starts[w], lengths[w], RATE * 4 / 10, RATE / 10, momentary + momentary_count);
        short_count += blocks(power + starts[w], lengths[w], RATE * 3, RATE, short_term + short_count);
    }
    acc->samples = have;
    // Integrated loudness: blocks above -70 LUFS, then above the mean of those less 10 LU.
    double sum = 0;
    int64_t gated = 0;
    for (int64_t i = 0; i < momentary_count; i++)
        if (lufs(momentary[i]) > -70.0) {
            sum += momentary[i];
            gated++;
        }
    if (gated == 0) {
        message(error, error_size, "silent");
        rc = AVERROR_INVALIDDATA;
        goto done;
    }
    double relative = lufs(sum / gated) - 10.0;
    double loud_sum = 0;
    int64_t loud = 0;
    for (int64_t i = 0; i < momentary_count; i++)
        if (lufs(momentary[i]) > -70.0 && lufs(momentary[i]) > relative) {
            loud_sum += momentary[i];
            loud++;
        }
    result->features[CANTO_FEATURE_LOUDNESS] = (float)lufs(loud_sum / (loud ? loud : 1));
    // Loudness range: 10th to 95th percentile of short-term loudness above -70 LUFS and the mean less 20 LU.
    double short_sum = 0;
    int64_t short_gated = 0;
    for (int64_t i = 0; i < short_count; i++)
        if (lufs(short_term[i]) > -70.0) {
            short_sum += short_term[i];
            short_gated++;
        }
    if (short_gated > 1) {
        double floor_lufs = lufs(short_sum / short_gated) - 20.0;
        int64_t kept = 0;
        for (int64_t i = 0; i < short_count; i++) {
            double l = lufs(short_term[i]);
            if (l > -70.0 && l > floor_lufs) short_term[kept++] = l;
        }
        qsort(short_term, (size_t)kept, sizeof(double), compare_doubles);
        if (kept > 1)
            result->features[CANTO_FEATURE_LOUDNESS_RANGE] =
                (float)(short_term[(int64_t)(0.95 * (kept - 1))] - short_term[(int64_t)(0.10 * (kept - 1))]);
    }

    // Frame features.
    for (int i = 0; i < FRAME; i++) hann[i] = 0.5 - 0.5 * cos(2.0 * M_PI * i / FRAME);
    mel_filters(acc);
    for (int w = 0; w < count; w++)
        analyse_window(audio + starts[w], lengths[w], acc, tx, fft, input, spectrum, hann);
    for (int i = 0; i < CHROMA_FRAME; i++) chroma_hann[i] = 0.5 - 0.5 * cos(2.0 * M_PI * i / CHROMA_FRAME);
    for (int k = 0; k < CHROMA_BINS; k++) {
        double f = (double)k * RATE / CHROMA_FRAME;
        int pitch = f >= 65.0 && f <= 4000.0 ? (int)lround(12.0 * log2(f / 440.0) + 69.0) : -1;
        pitch_class[k] = pitch < 0 ? -1 : pitch % 12;
    }
    for (int w = 0; w < count; w++)
        chroma_window(audio + starts[w], lengths[w], acc, chroma_fft, chroma_tx, chroma_input, chroma_spectrum,
                      chroma_hann, pitch_class);
    if (acc->frames == 0) {
        message(error, error_size, "silent");
        rc = AVERROR_INVALIDDATA;
        goto done;
    }
    double frames = (double)acc->frames;

    // Tempo: the lag whose beats line up best (its autocorrelation and half that of twice the lag,
    // so a true beat period outscores the off-beat patterns of a melody), weighted towards 120 BPM
    // (a log-normal of one octave), refined between lags.
    double frame_rate = (double)RATE / HOP, best = -1;
    int best_lag = 0;
    for (int lag = MIN_LAG; lag < MAX_LAG; lag++) {
        double bpm = 60.0 * frame_rate / lag;
        double octaves = log2(bpm / 120.0);
        double score =
            (acc->autocorrelation[lag] + 0.5 * acc->autocorrelation[2 * lag]) * exp(-0.5 * octaves * octaves);
        if (score > best) {
            best = score;
            best_lag = lag;
        }
    }
    double lag = best_lag;
    if (best_lag > MIN_LAG && best_lag < MAX_LAG - 1) {
        double a = acc->autocorrelation[best_lag - 1], b = acc->autocorrelation[best_lag],
               c = acc->autocorrelation[best_lag + 1];
        double denominator = a - 2 * b + c;
        if (fabs(denominator) > 1e-12) lag += 0.5 * (a - c) / denominator;
    }
    result->features[CANTO_FEATURE_TEMPO] = lag > 0 ? (float)(60.0 * frame_rate / lag) : 0;
    result->features[CANTO_FEATURE_TEMPO_STRENGTH] =
        acc->autocorrelation[0] > 0 ? (float)(acc->autocorrelation[best_lag] / acc->autocorrelation[0]) : 0;

    // Key and mode: the chroma profile against Krumhansl and Kessler's, in all 24 keys.
    double chroma_total = 0;
    for (int i = 0; i < 12; i++) chroma_total += acc->chroma[i];
    double best_key = -2;
    for (int key = 0; key < 12; key++) {
        double major = correlation(acc->chroma, major_profile, key);
        double minor = correlation(acc->chroma, minor_profile, key);
        if (major > best_key) {
            best_key = major;
            result->features[CANTO_FEATURE_KEY] = (float)key;
            result->features[CANTO_FEATURE_MODE] = 1;
        }
        if (minor > best_key) {
            best_key = minor;
            result->features[CANTO_FEATURE_KEY] = (float)key;
            result->features[CANTO_FEATURE_MODE] = 0;
        }
    }
    result->features[CANTO_FEATURE_KEY_STRENGTH] = (float)best_key;
    for (int i = 0; i < 12; i++)
        result->features[CANTO_FEATURE_CHROMA + i] = (float)(chroma_total > 0 ? acc->chroma[i] / chroma_total : 0);
    for (int c = 0; c < MFCC; c++) {
        double mean = acc->mfcc_sum[c] / frames;
        result->features[CANTO_FEATURE_MFCC_MEAN + c] = (float)mean;
        result->features[CANTO_FEATURE_MFCC_VARIANCE + c] = (float)fmax(0, acc->mfcc_sq[c] / frames - mean * mean);
    }
    double shape = acc->shape_weight > 0 ? acc->shape_weight : 1;
    double centroid = acc->centroid / shape;
    result->features[CANTO_FEATURE_CENTROID] = (float)centroid;
    result->features[CANTO_FEATURE_CENTROID_SD] = (float)sqrt(fmax(0, acc->centroid_sq / shape - centroid * centroid));
    result->features[CANTO_FEATURE_ROLLOFF] = (float)(acc->rolloff / shape);
    result->features[CANTO_FEATURE_FLATNESS] = (float)(acc->flatness / shape);
    result->features[CANTO_FEATURE_FLUX] = acc->flux_weight > 0 ? (float)(acc->flux / acc->flux_weight) : 0;
    double rms = sqrt(acc->energy / (double)acc->samples);
    result->features[CANTO_FEATURE_CREST] = rms > 0 ? (float)(20.0 * log10(acc->peak / rms)) : 0;
    double rms_mean = acc->rms_db / frames;
    result->features[CANTO_FEATURE_RMS_SD] = (float)sqrt(fmax(0, acc->rms_db_sq / frames - rms_mean * rms_mean));
    result->seconds_analyzed = (float)((double)have / RATE);
    for (int i = 0; i < CANTO_FEATURE_COUNT; i++)
        if (!isfinite(result->features[i])) result->features[i] = 0;
    rc = 0;

done:
    av_tx_uninit(&tx);
    av_tx_uninit(&chroma_tx);
    av_free(chroma_input);
    av_free(chroma_spectrum);
    free(chroma_hann);
    free(pitch_class);
    av_free(input);
    av_free(spectrum);
    free(hann);
    free(acc);
    free(power);
    free(momentary);
    free(short_term);
    av_free(audio);
    if (rc < 0 && error_size > 0 && error[0] == 0) fail_code(rc, error, error_size);
    return rc;
}
