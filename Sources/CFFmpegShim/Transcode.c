// Transcode.c: the pull-model transcoder behind canto_transcoder_* (see CFFmpegShim.h).
// Each read pumps demux -> decode -> resample -> FIFO -> encode -> mux until the muxer has
// written some bytes into our growable buffer (through a custom, non-seekable AVIOContext),
// then copies them out. Nothing is decoded ahead of what the caller reads.
#include "CFFmpegShim.h"

#include <libavcodec/avcodec.h>
#include <libavformat/avformat.h>
#include <libavutil/audio_fifo.h>
#include <libavutil/channel_layout.h>
#include <libavutil/opt.h>
#include <libswresample/swresample.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

enum {
    IO_BUFFER_SIZE = 4096,             // the AVIOContext's own buffer
    MAX_BUFFERED = 64 << 20,           // bound on undelivered output bytes
    MAX_DECODE_ERRORS = 100,           // consecutive decode errors before giving up
    MAX_IDLE_PACKETS = 100000,         // packets read without a decoded frame before giving up
    MAX_CHANNELS = 64,                 // frames with more channels are skipped
    PREROLL_US = 200000,               // seek this much early so decoders settle before start_ms
};

// FFmpeg 7 made the write callback's buffer const.
#if LIBAVFORMAT_VERSION_MAJOR >= 61
#define IO_CONST const
#else
#define IO_CONST
#endif

enum { STATE_HEADER, STATE_RUNNING, STATE_DONE };

struct canto_transcoder {
    AVFormatContext *input;
    AVCodecContext *decoder;
    int stream_index;
    int64_t start_time;                // the input stream's first timestamp (0 when unknown)
    int64_t start_us;                  // decoded audio before this position is dropped
    int64_t next_us;                   // where the next decoded frame starts, for frames without pts
    int dropping;                      // still dropping audio before start_us
    int decode_errors, idle_packets;   // consecutive errors; packets since the last frame
    int64_t frames_decoded, total_errors;

    SwrContext *swr;                   // converts decoded frames to the encoder's format
    AVChannelLayout swr_layout;        // what swr was set up for, to notice mid-stream changes
    int swr_rate, swr_format;
    uint8_t **converted;               // swr output scratch, `converted_capacity` samples
    int converted_capacity;

    AVAudioFifo *fifo;                 // converted samples waiting for a full encoder frame
    AVCodecContext *encoder;
    int frame_size, pad_last_frame;
    int64_t next_pts;                  // samples sent to the encoder so far

    AVFormatContext *output;
    AVIOContext *io;
    AVDictionary *mux_options;
    uint8_t *bytes;                    // muxed bytes not yet read: bytes[offset..<length]
    size_t offset, length, capacity;

    AVFrame *frame, *encode_frame;
    AVPacket *packet;
    int state, status;                 // status: 0, or the sticky negative error
    char message[256];
};

static void copy_string(char *dst, size_t size, const char *src) {
    if (!dst || size == 0) return;
    snprintf(dst, size, "%s", src ? src : "");
}

// Records `what: <FFmpeg's message>` (the first failure wins) and returns the code.
static int fail(canto_transcoder *t, int code, const char *what) {
    if (code >= 0) code = AVERROR_UNKNOWN;
    if (t->message[0] == '\0') {
        char reason[AV_ERROR_MAX_STRING_SIZE] = {0};
        av_strerror(code, reason, sizeof reason);
        snprintf(t->message, sizeof t->message, "%s: %s", what, reason);
    }
    return code;
}

// Timestamps beyond this are treated as unknown, keeping the arithmetic on them far from overflow.
static int sane_timestamp(int64_t ts) { return ts > -(INT64_C(1) << 60) && ts < (INT64_C(1) << 60); }

// MARK: Output buffer

static int write_bytes(void *opaque, IO_CONST uint8_t *data, int size) {
    canto_transcoder *t = opaque;
    if (size <= 0) return 0;
    if (t->offset > 0) {  // compact: move the unread bytes to the front
        memmove(t->bytes, t->bytes + t->offset, t->length - t->offset);
        t->length -= t->offset;
        t->offset = 0;
    }
    if (t->length + (size_t)size > t->capacity) {
        size_t capacity = t->capacity ? t->capacity : 65536;
        while (capacity < t->length + (size_t)size) capacity *= 2;
        if (capacity > MAX_BUFFERED) return AVERROR(ENOMEM);
        uint8_t *bytes = av_realloc(t->bytes, capacity);
        if (!bytes) return AVERROR(ENOMEM);
        t->bytes = bytes;
        t->capacity = capacity;
    }
    memcpy(t->bytes + t->length, data, (size_t)size);
    t->length += (size_t)size;
    return size;
}

static int flush_output(canto_transcoder *t) {
    avio_flush(t->io);
    return t->io->error < 0 ? fail(t, t->io->error, "cannot write output") : 0;
}

// MARK: Encoding

// Sends `frame` (NULL flushes) to the encoder and muxes every packet it has ready.
static int encode(canto_transcoder *t, AVFrame *frame) {
    int rc = avcodec_send_frame(t->encoder, frame);
    if (rc < 0) return fail(t, rc, "cannot encode");
    for (;;) {
        rc = avcodec_receive_packet(t->encoder, t->packet);
        if (rc == AVERROR(EAGAIN) || rc == AVERROR_EOF) break;
        if (rc < 0) return fail(t, rc, "cannot encode");
        t->packet->stream_index = 0;
        av_packet_rescale_ts(t->packet, t->encoder->time_base, t->output->streams[0]->time_base);
        rc = av_interleaved_write_frame(t->output, t->packet);  // takes the packet's reference
        if (rc < 0) return fail(t, rc, "cannot write output");
    }
    return flush_output(t);
}

// Encodes whole frames from the FIFO; with `final`, also the remainder (padded if needed).
static int encode_fifo(canto_transcoder *t, int final) {
    AVCodecContext *enc = t->encoder;
    for (;;) {
        int available = av_audio_fifo_size(t->fifo);
        if (available <= 0 || (available < t->frame_size && !final)) return 0;
        int n = FFMIN(available, t->frame_size);
        AVFrame *f = t->encode_frame;
        av_frame_unref(f);
        f->nb_samples = (n < t->frame_size && t->pad_last_frame) ? t->frame_size : n;
        f->format = enc->sample_fmt;
        f->sample_rate = enc->sample_rate;
        int rc = av_channel_layout_copy(&f->ch_layout, &enc->ch_layout);
        if (rc >= 0) rc = av_frame_get_buffer(f, 0);
        if (rc < 0) return fail(t, rc, "cannot allocate frame");
        if (av_audio_fifo_read(t->fifo, (void **)f->extended_data, n) < n)
            return fail(t, AVERROR_BUG, "cannot read samples");
        if (f->nb_samples > n)
            av_samples_set_silence(f->extended_data, n, f->nb_samples - n,
                                   enc->ch_layout.nb_channels, enc->sample_fmt);
        f->pts = t->next_pts;
        t->next_pts += f->nb_samples;
        if ((rc = encode(t, f)) < 0) return rc;
    }
}

// MARK: Resampling

// Converts `count` samples (NULL flushes the resampler) into the FIFO, then encodes.
static int convert(canto_transcoder *t, const uint8_t **in, int count) {
    int capacity = swr_get_out_samples(t->swr, count);
    if (capacity < 0) return fail(t, capacity, "cannot resample");
    if (capacity == 0) return 0;
    if (capacity > t->converted_capacity) {
        if (t->converted) av_freep(&t->converted[0]);
        av_freep(&t->converted);
        t->converted_capacity = 0;
        int rc = av_samples_alloc_array_and_samples(&t->converted, NULL, t->encoder->ch_layout.nb_channels,
                                                    capacity, t->encoder->sample_fmt, 0);
        if (rc < 0) return fail(t, rc, "cannot allocate samples");
        t->converted_capacity = capacity;
    }
    int n = swr_convert(t->swr, t->converted, capacity, in, count);
    if (n < 0) return fail(t, n, "cannot resample");
    if (n > 0 && av_audio_fifo_write(t->fifo, (void **)t->converted, n) < n)
        return fail(t, AVERROR(ENOMEM), "cannot buffer samples");
    return encode_fifo(t, 0);
}

// Makes sure swr converts from `f`'s format, rate and layout, draining the old one if they changed.
static int prepare_resampler(canto_transcoder *t, const AVFrame *f) {
    if (t->swr && f->format == t->swr_format && f->sample_rate == t->swr_rate &&
        av_channel_layout_compare(&f->ch_layout, &t->swr_layout) == 0)
        return 0;
    if (t->swr) {
        int rc = convert(t, NULL, 0);
        if (rc < 0) return rc;
        swr_free(&t->swr);
    }
    av_channel_layout_uninit(&t->swr_layout);
    AVChannelLayout in = {0};
    int rc = 0;
    if (f->ch_layout.order == AV_CHANNEL_ORDER_NATIVE) rc = av_channel_layout_copy(&in, &f->ch_layout);
    else av_channel_layout_default(&in, f->ch_layout.nb_channels);  // unknown or custom order: the usual one
    if (rc >= 0)
        rc = swr_alloc_set_opts2(&t->swr, &t->encoder->ch_layout, t->encoder->sample_fmt,
                                 t->encoder->sample_rate, &in, f->format, f->sample_rate, 0, NULL);
    av_channel_layout_uninit(&in);
    // Downmixes to float would otherwise be allowed to exceed full scale and clip in the encoder.
    if (rc >= 0) rc = av_opt_set_double(t->swr, "rematrix_maxval", 1.0, 0);
    if (rc >= 0) rc = swr_init(t->swr);
    if (rc < 0) {
        swr_free(&t->swr);
        return rc;  // the caller treats it as an undecodable frame
    }
    t->swr_format = f->format;
    t->swr_rate = f->sample_rate;
    return av_channel_layout_copy(&t->swr_layout, &f->ch_layout);
}

// MARK: Decoding

// Counts a decode error; returns non-zero (and records it) when there have been too many.
static int decode_error(canto_transcoder *t, int rc) {
    t->total_errors++;
    if (rc == AVERROR(ENOMEM) || ++t->decode_errors > MAX_DECODE_ERRORS)
        return fail(t, rc, "cannot decode input");
    return 0;
}

// Drops what lies before start_us, then resamples the rest of `f` into the FIFO.
static int push_frame(canto_transcoder *t, const AVFrame *f) {
    int channels = f->ch_layout.nb_channels;
    if (f->nb_samples <= 0 || f->sample_rate <= 0 || channels <= 0 || channels > MAX_CHANNELS ||
        av_get_bytes_per_sample(f->format) <= 0)
        return decode_error(t, AVERROR_INVALIDDATA);

    int64_t pts = f->pts != AV_NOPTS_VALUE ? f->pts : f->best_effort_timestamp;
    int64_t position = t->next_us;
    if (pts != AV_NOPTS_VALUE && sane_timestamp(pts))
        position = av_rescale_q(pts - t->start_time, t->input->streams[t->stream_index]->time_base,
                                AV_TIME_BASE_Q);
    position = av_clip64(position, -(INT64_C(1) << 61), INT64_C(1) << 61);
    t->next_us = position + av_rescale(f->nb_samples, AV_TIME_BASE, f->sample_rate);

    int skip = 0;
    if (t->dropping) {
        if (t->next_us <= t->start_us) return 0;  // wholly before the start
        int64_t before = av_rescale(t->start_us - position, f->sample_rate, AV_TIME_BASE);
        skip = (int)av_clip64(before, 0, f->nb_samples - 1);
        t->dropping = 0;
    }

    int rc = prepare_resampler(t, f);
    if (rc < 0) return t->message[0] ? rc : decode_error(t, rc);  // a bad layout counts as a bad frame
    t->decode_errors = 0;

    const uint8_t *in[MAX_CHANNELS];
    int planar = av_sample_fmt_is_planar(f->format);
    size_t step = (size_t)skip * (size_t)av_get_bytes_per_sample(f->format) * (size_t)(planar ? 1 : channels);
    for (int i = 0; i < (planar ? channels : 1); i++) in[i] = f->extended_data[i] + step;
    return convert(t, in, f->nb_samples - skip);
}

// Takes every frame the decoder has ready.
static int drain_decoder(canto_transcoder *t) {
    for (;;) {
        int rc = avcodec_receive_frame(t->decoder, t->frame);
        if (rc == AVERROR(EAGAIN) || rc == AVERROR_EOF) return 0;
        if (rc < 0) {
            if ((rc = decode_error(t, rc)) < 0) return rc;
            continue;
        }
        t->idle_packets = 0;
        t->frames_decoded++;
        rc = push_frame(t, t->frame);
        av_frame_unref(t->frame);
        if (rc < 0) return rc;
    }
}

// At the end of the input: drains decoder, resampler, FIFO and encoder, then writes the trailer.
static int finish(canto_transcoder *t) {
    int rc = avcodec_send_packet(t->decoder, NULL);
    if (rc >= 0) rc = drain_decoder(t);
    if (rc < 0) return rc;
    if (t->frames_decoded == 0 && t->total_errors > 0)
        return fail(t, AVERROR_INVALIDDATA, "cannot decode input");
    if (t->swr && (rc = convert(t, NULL, 0)) < 0) return rc;
    if ((rc = encode_fifo(t, 1)) < 0) return rc;
    if ((rc = encode(t, NULL)) < 0) return rc;
    if ((rc = av_write_trailer(t->output)) < 0) return fail(t, rc, "cannot finish output");
    t->state = STATE_DONE;
    return flush_output(t);
}

// One step of work: the header, one input packet, or the end.
static int pump(canto_transcoder *t) {
    if (t->state == STATE_HEADER) {
        int rc = avformat_write_header(t->output, &t->mux_options);
        if (rc < 0) return fail(t, rc, "cannot write header");
        t->state = STATE_RUNNING;
        return flush_output(t);
    }
    int rc = av_read_frame(t->input, t->packet);
    if (rc == AVERROR_EOF) return finish(t);
    if (rc < 0 && rc != AVERROR(EAGAIN)) return fail(t, rc, "cannot read input");
    if (++t->idle_packets > MAX_IDLE_PACKETS) {  // bounds reading that never yields audio
        av_packet_unref(t->packet);
        return fail(t, AVERROR_INVALIDDATA, "no audio decoded");
    }
    if (rc < 0) return 0;  // EAGAIN: try again
    if (t->packet->stream_index != t->stream_index) {
        av_packet_unref(t->packet);
        return 0;
    }
    rc = avcodec_send_packet(t->decoder, t->packet);
    av_packet_unref(t->packet);
    if (rc < 0 && (rc = decode_error(t, rc)) < 0) return rc;
    return drain_decoder(t);
}

// MARK: Setup

static int open_input(canto_transcoder *t, const char *path, int64_t start_ms) {
    int rc = avformat_open_input(&t->input, path, NULL, NULL);
    if (rc < 0) return fail(t, rc, "cannot open input");
    if ((rc = avformat_find_stream_info(t->input, NULL)) < 0)
        return fail(t, rc, "cannot read stream information");
    const AVCodec *codec = NULL;
    rc = av_find_best_stream(t->input, AVMEDIA_TYPE_AUDIO, -1, -1, &codec, 0);
    if (rc == AVERROR_STREAM_NOT_FOUND) return fail(t, rc, "no audio stream");
    if (rc < 0) return fail(t, rc, "no decoder for the audio stream");
    t->stream_index = rc;
    for (unsigned i = 0; i < t->input->nb_streams; i++)  // skip cover art, video, other tracks
        t->input->streams[i]->discard = (int)i == rc ? AVDISCARD_DEFAULT : AVDISCARD_ALL;
    AVStream *stream = t->input->streams[rc];

    if (!(t->decoder = avcodec_alloc_context3(codec))) return fail(t, AVERROR(ENOMEM), "cannot open decoder");
    if ((rc = avcodec_parameters_to_context(t->decoder, stream->codecpar)) < 0)
        return fail(t, rc, "cannot open decoder");
    t->decoder->pkt_timebase = stream->time_base;
    if ((rc = avcodec_open2(t->decoder, codec, NULL)) < 0) return fail(t, rc, "cannot open decoder");
    if (t->decoder->sample_rate <= 0 || t->decoder->ch_layout.nb_channels <= 0)
        return fail(t, AVERROR_INVALIDDATA, "unknown sample rate or channel count");

    t->start_time = sane_timestamp(stream->start_time) ? stream->start_time : 0;  // NOPTS is not sane
    if (start_ms > 0) {
        t->start_us = FFMIN(start_ms, INT64_C(1) << 40) * 1000;
        t->dropping = 1;
        // Seek to the nearest point before start_ms (less a pre-roll); samples before start_ms are
        // dropped as they are decoded. If the seek fails we decode from here and drop, which is slow but right.
        int64_t target = t->start_time +
                         av_rescale_q(FFMAX(t->start_us - PREROLL_US, 0), AV_TIME_BASE_Q, stream->time_base);
        av_seek_frame(t->input, t->stream_index, target, AVSEEK_FLAG_BACKWARD);
    }
    return 0;
}

// The supported sample rate closest to `rate` (at most `limit`), or `rate` if any rate goes.
static int pick_rate(const AVCodec *codec, int rate, int limit) {
    int target = FFMIN(rate, limit), best = 0;
    if (!codec->supported_samplerates) return target;
    for (const int *r = codec->supported_samplerates; *r; r++)
        if (!best || abs(*r - target) < abs(best - target) || (abs(*r - target) == abs(best - target) && *r > best))
            best = *r;
    return best;
}

static enum AVSampleFormat pick_format(const AVCodec *codec, enum AVSampleFormat wanted) {
    if (!codec->sample_fmts) return wanted;
    for (const enum AVSampleFormat *f = codec->sample_fmts; *f != AV_SAMPLE_FMT_NONE; f++)
        if (*f == wanted) return wanted;
    return codec->sample_fmts[0];
}

// FLAC keeps the source layout when the encoder takes it, else the default one for the count.
static int flac_layout(const AVCodec *codec, const AVChannelLayout *source, AVChannelLayout *out) {
    AVChannelLayout fallback = {0};
    av_channel_layout_default(&fallback, source->nb_channels);
    if (!codec->ch_layouts) return av_channel_layout_copy(out, &fallback);
    for (const AVChannelLayout *l = codec->ch_layouts; l->nb_channels; l++)
        if (av_channel_layout_compare(l, source) == 0) return av_channel_layout_copy(out, l);
    for (const AVChannelLayout *l = codec->ch_layouts; l->nb_channels; l++)
        if (av_channel_layout_compare(l, &fallback) == 0) return av_channel_layout_copy(out, l);
    return av_channel_layout_copy(out, &(AVChannelLayout)AV_CHANNEL_LAYOUT_STEREO);
}

static int open_output(canto_transcoder *t, const canto_transcode_options *options) {
    const char *encoder_name, *muxer_name;
    int kbps = options->bitrate_kbps, min_kbps = 32, max_kbps = 320, default_kbps = 192;
    switch (options->format) {
    case CANTO_FORMAT_MP3: encoder_name = "libmp3lame"; muxer_name = "mp3"; break;
    case CANTO_FORMAT_OPUS:
        encoder_name = "libopus"; muxer_name = "ogg";
        min_kbps = 6;
        max_kbps = 510;
        default_kbps = 128;
        break;
    case CANTO_FORMAT_AAC: encoder_name = "aac"; muxer_name = "adts"; break;
    case CANTO_FORMAT_FLAC: encoder_name = "flac"; muxer_name = "flac"; break;
    default: return fail(t, AVERROR(EINVAL), "unknown output format");
    }
    const AVCodec *codec = avcodec_find_encoder_by_name(encoder_name);
    if (!codec) return fail(t, AVERROR_ENCODER_NOT_FOUND, encoder_name);
    int rc = avformat_alloc_output_context2(&t->output, NULL, muxer_name, NULL);
    if (rc < 0 || !t->output) return fail(t, rc, "cannot create muxer");
    AVCodecContext *enc = t->encoder = avcodec_alloc_context3(codec);
    if (!enc) return fail(t, AVERROR(ENOMEM), "cannot open encoder");

    const AVCodecContext *dec = t->decoder;
    int channels = dec->ch_layout.nb_channels;
    if (options->format == CANTO_FORMAT_FLAC) {
        int deep = dec->bits_per_raw_sample > 16 || (dec->bits_per_raw_sample <= 0 &&
                   (dec->sample_fmt == AV_SAMPLE_FMT_S32 || dec->sample_fmt == AV_SAMPLE_FMT_S32P));
        enc->sample_fmt = pick_format(codec, deep ? AV_SAMPLE_FMT_S32 : AV_SAMPLE_FMT_S16);
        if (enc->sample_fmt == AV_SAMPLE_FMT_S32) enc->bits_per_raw_sample = 24;
        enc->sample_rate = pick_rate(codec, dec->sample_rate, dec->sample_rate);
        rc = channels <= 8 ? flac_layout(codec, &dec->ch_layout, &enc->ch_layout)
                           : av_channel_layout_copy(&enc->ch_layout, &(AVChannelLayout)AV_CHANNEL_LAYOUT_STEREO);
    } else {
        kbps = kbps <= 0 ? default_kbps : av_clip(kbps, min_kbps, max_kbps);
        enc->bit_rate = (int64_t)kbps * 1000;
        enc->sample_fmt = pick_format(codec, options->format == CANTO_FORMAT_OPUS ? AV_SAMPLE_FMT_FLT
                                                                                  : AV_SAMPLE_FMT_FLTP);
        // Lossy streams gain nothing above 48 kHz; Opus always runs at 48 kHz.
        enc->sample_rate = options->format == CANTO_FORMAT_OPUS ? 48000 : pick_rate(codec, dec->sample_rate, 48000);
        rc = av_channel_layout_copy(&enc->ch_layout, channels == 1 ? &(AVChannelLayout)AV_CHANNEL_LAYOUT_MONO
                                                                  : &(AVChannelLayout)AV_CHANNEL_LAYOUT_STEREO);
        // LAME's default (-q 3) drops to ~50x realtime on dense material; -q 5 keeps ~65x at a
        // barely audible cost. Opus keeps its best complexity (10): it runs at ~90x anyway.
        if (options->format == CANTO_FORMAT_MP3) enc->compression_level = 5;
    }
    if (rc < 0) return fail(t, rc, "cannot open encoder");
    enc->time_base = (AVRational){1, enc->sample_rate};
    if (t->output->oformat->flags & AVFMT_GLOBALHEADER) enc->flags |= AV_CODEC_FLAG_GLOBAL_HEADER;
    if ((rc = avcodec_open2(enc, codec, NULL)) < 0) return fail(t, rc, "cannot open encoder");

    t->frame_size = enc->frame_size > 0 ? enc->frame_size : 4096;
    t->pad_last_frame = !(codec->capabilities & (AV_CODEC_CAP_SMALL_LAST_FRAME | AV_CODEC_CAP_VARIABLE_FRAME_SIZE));
    if (!(t->fifo = av_audio_fifo_alloc(enc->sample_fmt, enc->ch_layout.nb_channels, t->frame_size)))
        return fail(t, AVERROR(ENOMEM), "cannot allocate samples");

    AVStream *stream = avformat_new_stream(t->output, NULL);
    if (!stream) return fail(t, AVERROR(ENOMEM), "cannot create muxer");
    if ((rc = avcodec_parameters_from_context(stream->codecpar, enc)) < 0) return fail(t, rc, "cannot create muxer");
    stream->time_base = enc->time_base;

    uint8_t *buffer = av_malloc(IO_BUFFER_SIZE);
    if (buffer) t->io = avio_alloc_context(buffer, IO_BUFFER_SIZE, 1, t, NULL, write_bytes, NULL);
    if (!t->io) {
        av_free(buffer);
        return fail(t, AVERROR(ENOMEM), "cannot create muxer");
    }
    t->output->pb = t->io;
    t->output->flags |= AVFMT_FLAG_CUSTOM_IO;
    if (options->format == CANTO_FORMAT_MP3) {  // a bare MP3 stream: no ID3 tag, no Xing frame
        av_dict_set(&t->mux_options, "id3v2_version", "0", 0);
        av_dict_set(&t->mux_options, "write_xing", "0", 0);
    }
    // Checks the muxer's parameters now; the header itself is written by the first read.
    if ((rc = avformat_init_output(t->output, &t->mux_options)) < 0) return fail(t, rc, "cannot create muxer");
    if (!(t->frame = av_frame_alloc()) || !(t->encode_frame = av_frame_alloc()) || !(t->packet = av_packet_alloc()))
        return fail(t, AVERROR(ENOMEM), "cannot allocate frame");
    return 0;
}

// MARK: API

int canto_transcoder_open(const char *path, const canto_transcode_options *options,
                          canto_transcoder **out, char *error, size_t error_size) {
    copy_string(error, error_size, "");
    if (out) *out = NULL;
    if (!path || !options || !out) {
        copy_string(error, error_size, "invalid argument");
        return AVERROR(EINVAL);
    }
    canto_transcoder *t = av_mallocz(sizeof *t);
    if (!t) {
        copy_string(error, error_size, "out of memory");
        return AVERROR(ENOMEM);
    }
    int rc = open_input(t, path, options->start_ms);
    if (rc >= 0) rc = open_output(t, options);
    if (rc < 0) {
        copy_string(error, error_size, t->message);
        canto_transcoder_close(t);
        return rc;
    }
    *out = t;
    return 0;
}

int64_t canto_transcoder_read(canto_transcoder *t, uint8_t *buffer, size_t capacity,
                              char *error, size_t error_size) {
    copy_string(error, error_size, "");
    if (!t || !buffer || capacity == 0) {
        copy_string(error, error_size, "invalid argument");
        return AVERROR(EINVAL);
    }
    while (t->offset == t->length && t->status == 0 && t->state != STATE_DONE) {
        int rc = pump(t);
        if (rc < 0) t->status = rc;
    }
    // Hand out what was muxed before an error too; the error follows on the next read.
    size_t n = FFMIN(capacity, t->length - t->offset);
    if (n > 0) {
        memcpy(buffer, t->bytes + t->offset, n);
        t->offset += n;
        if (t->offset == t->length) t->offset = t->length = 0;
        return (int64_t)n;
    }
    if (t->status < 0) {
        copy_string(error, error_size, t->message);
        return t->status;
    }
    return 0;
}

void canto_transcoder_close(canto_transcoder *t) {
    if (!t) return;
    avformat_free_context(t->output);  // leaves pb alone: it is ours
    if (t->io) av_freep(&t->io->buffer);
    avio_context_free(&t->io);
    av_dict_free(&t->mux_options);
    avcodec_free_context(&t->encoder);
    avcodec_free_context(&t->decoder);
    avformat_close_input(&t->input);
    swr_free(&t->swr);
    av_channel_layout_uninit(&t->swr_layout);
    if (t->converted) av_freep(&t->converted[0]);
    av_freep(&t->converted);
    av_audio_fifo_free(t->fifo);
    av_frame_free(&t->frame);
    av_frame_free(&t->encode_frame);
    av_packet_free(&t->packet);
    av_free(t->bytes);
    av_free(t);
}

const char *canto_output_mime_type(canto_output_format format) {
    switch (format) {
    case CANTO_FORMAT_MP3: return "audio/mpeg";
    case CANTO_FORMAT_OPUS: return "audio/ogg";
    case CANTO_FORMAT_AAC: return "audio/aac";
    case CANTO_FORMAT_FLAC: return "audio/flac";
    default: return "application/octet-stream";
    }
}
