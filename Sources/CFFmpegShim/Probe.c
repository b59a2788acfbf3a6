#include "CFFmpegShim.h"

#include <libavcodec/avcodec.h>
#include <libavformat/avformat.h>
#include <libavutil/avutil.h>
#include <stdio.h>
#include <string.h>

static void copy_string(char *dst, size_t size, const char *src) {
    if (size == 0) return;
    snprintf(dst, size, "%s", src ? src : "");
}

static int fail(int code, char *error, size_t error_size) {
    char message[AV_ERROR_MAX_STRING_SIZE] = {0};
    av_strerror(code, message, sizeof message);
    copy_string(error, error_size, message);
    return code < 0 ? code : AVERROR_UNKNOWN;
}

int canto_probe(const char *path, canto_probe_info *info, char *error, size_t error_size) {
    memset(info, 0, sizeof *info);
    copy_string(error, error_size, "");

    AVFormatContext *format = NULL;
    int rc = avformat_open_input(&format, path, NULL, NULL);
    if (rc < 0) return fail(rc, error, error_size);

    rc = avformat_find_stream_info(format, NULL);
    if (rc < 0) {
        avformat_close_input(&format);
        return fail(rc, error, error_size);
    }
    int index = av_find_best_stream(format, AVMEDIA_TYPE_AUDIO, -1, -1, NULL, 0);
    if (index < 0) {
        avformat_close_input(&format);
        copy_string(error, error_size, "no audio stream");
        return index;
    }
    AVStream *stream = format->streams[index];
    AVCodecParameters *params = stream->codecpar;

    int64_t duration_ms = 0;
    if (stream->duration != AV_NOPTS_VALUE && stream->duration > 0) {
        duration_ms = av_rescale_q(stream->duration, stream->time_base, (AVRational){1, 1000});
    } else if (format->duration != AV_NOPTS_VALUE && format->duration > 0) {
        duration_ms = format->duration / (AV_TIME_BASE / 1000);
    }
    info->duration_ms = duration_ms;
    int64_t bitrate = params->bit_rate > 0 ? params->bit_rate : format->bit_rate;
    info->bitrate_kbps = (int32_t)(bitrate / 1000);
    info->sample_rate = params->sample_rate;
    info->channels = params->ch_layout.nb_channels;
    info->bit_depth = params->bits_per_raw_sample > 0 ? params->bits_per_raw_sample : 0;
    copy_string(info->codec, sizeof info->codec, avcodec_get_name(params->codec_id));
    copy_string(info->container, sizeof info->container, format->iformat->name);

    avformat_close_input(&format);
    return 0;
}

int canto_decode_duration(const char *path, canto_probe_info *info, char *error, size_t error_size) {
    memset(info, 0, sizeof *info);
    copy_string(error, error_size, "");
    AVFormatContext *format = NULL;
    AVCodecContext *codec = NULL;
    AVPacket *packet = av_packet_alloc();
    AVFrame *frame = av_frame_alloc();
    int64_t samples = 0;
    int rc = packet && frame ? avformat_open_input(&format, path, NULL, NULL) : AVERROR(ENOMEM);
    if (rc >= 0) rc = avformat_find_stream_info(format, NULL);
    int index = rc >= 0 ? av_find_best_stream(format, AVMEDIA_TYPE_AUDIO, -1, -1, NULL, 0) : rc;
    if (index < 0) rc = index;
    if (rc >= 0) {
        AVCodecParameters *params = format->streams[index]->codecpar;
        const AVCodec *decoder = avcodec_find_decoder(params->codec_id);
        codec = decoder ? avcodec_alloc_context3(decoder) : NULL;
        rc = codec ? avcodec_parameters_to_context(codec, params) : AVERROR_DECODER_NOT_FOUND;
        if (rc >= 0) rc = avcodec_open2(codec, decoder, NULL);
    }
    while (rc >= 0) {
        int read = av_read_frame(format, packet);
        if (read >= 0 && packet->stream_index != index) {
            av_packet_unref(packet);
            continue;
        }
        rc = avcodec_send_packet(codec, read >= 0 ? packet : NULL);
        av_packet_unref(packet);
        while (rc >= 0 && (rc = avcodec_receive_frame(codec, frame)) >= 0) {
            samples += frame->nb_samples;
            av_frame_unref(frame);
        }
        if (rc == AVERROR(EAGAIN)) rc = 0;
        if (read < 0) break;  // flushed: rc is AVERROR_EOF
    }
    if (rc == AVERROR_EOF) rc = 0;
    if (rc >= 0 && codec) {
        info->sample_rate = codec->sample_rate;
        info->channels = codec->ch_layout.nb_channels;
        info->duration_ms = codec->sample_rate > 0 ? samples * 1000 / codec->sample_rate : 0;
        copy_string(info->codec, sizeof info->codec, avcodec_get_name(codec->codec_id));
        copy_string(info->container, sizeof info->container, format->iformat->name);
    }
    avcodec_free_context(&codec);
    avformat_close_input(&format);
    av_frame_free(&frame);
    av_packet_free(&packet);
    return rc < 0 ? fail(rc, error, error_size) : 0;
}

const char *canto_ffmpeg_version(void) {
    static char version[96];
    unsigned f = avformat_version(), c = avcodec_version();
    snprintf(version, sizeof version, "avformat %u.%u.%u, avcodec %u.%u.%u",
             f >> 16, (f >> 8) & 0xff, f & 0xff, c >> 16, (c >> 8) & 0xff, c & 0xff);
    return version;
}

void canto_ffmpeg_set_log_level(int level) { av_log_set_level(level); }
