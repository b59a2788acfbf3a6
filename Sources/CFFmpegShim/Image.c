#include "CFFmpegShim.h"

#include <libavcodec/avcodec.h>
#include <libavutil/avutil.h>
#include <libavutil/frame.h>
#include <libavutil/mem.h>
#include <libavutil/opt.h>
#include <libavutil/pixdesc.h>
#include <libswscale/swscale.h>
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>

// Images larger than this are refused before anything is allocated for their pixels.
#define IMAGE_MAX_SIDE 16384
#define IMAGE_MAX_PIXELS 40000000LL
// The WebP format's own limit.
#define IMAGE_WEBP_MAX_SIDE 16383

// JPEGs decode at up to 1/2^IMAGE_MAX_LOWRES size when that still covers the target (mjpeg: 3).
#ifndef IMAGE_MAX_LOWRES
#define IMAGE_MAX_LOWRES 3
#endif

// The filter for the final resize. SWS_ACCURATE_RND keeps colours from drifting; without
// SWS_FULL_CHR_H_INP, RGB input's chroma is read in pixel pairs, which for an odd width pairs the
// last pixel with whatever lies past it (a 1-pixel-wide image came out desaturated).
#define IMAGE_SCALE_FLAGS (SWS_LANCZOS | SWS_ACCURATE_RND | SWS_FULL_CHR_H_INP)
// Unscaled conversions (to RGBA before compositing onto white, or same-size format changes).
#define IMAGE_CONVERT_FLAGS (SWS_BICUBIC | SWS_ACCURATE_RND | SWS_FULL_CHR_H_INP | SWS_FULL_CHR_H_INT)

static void image_copy_string(char *dst, size_t size, const char *src) {
    if (!dst || size == 0) return;
    snprintf(dst, size, "%s", src ? src : "");
}

/// Fails with `message`, or with "what: <FFmpeg's text for code>" when `message` is NULL.
static int image_fail(int code, const char *what, const char *message, char *error, size_t error_size) {
    if (code >= 0) code = AVERROR_UNKNOWN;
    if (message) {
        image_copy_string(error, error_size, message);
    } else if (error && error_size > 0) {
        char text[AV_ERROR_MAX_STRING_SIZE] = {0};
        av_strerror(code, text, sizeof text);
        snprintf(error, error_size, "%s: %s", what, text);
    }
    return code;
}

static int image_too_large(int64_t width, int64_t height) {
    return width > IMAGE_MAX_SIDE || height > IMAGE_MAX_SIDE || width * height > IMAGE_MAX_PIXELS;
}

// MARK: Sniffing

static uint32_t rd_be16(const uint8_t *p) { return (uint32_t)p[0] << 8 | p[1]; }
static uint32_t rd_le16(const uint8_t *p) { return (uint32_t)p[1] << 8 | p[0]; }
static uint32_t rd_le24(const uint8_t *p) { return (uint32_t)p[2] << 16 | rd_le16(p); }
static uint32_t rd_le32(const uint8_t *p) { return (uint32_t)p[3] << 24 | rd_le24(p); }
static uint32_t rd_be32(const uint8_t *p) { return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | rd_be16(p + 2); }

/// Finds a JPEG's frame header (SOFn) and reads its size; leaves 0 where it cannot.
static void sniff_jpeg_size(const uint8_t *d, size_t n, int64_t *width, int64_t *height) {
    size_t i = 2;
    while (i + 1 < n) {
        if (d[i] != 0xFF) return;
        uint8_t marker = d[i + 1];
        if (marker == 0xFF) { i++; continue; }  // fill byte
        i += 2;
        if (marker == 0xD8 || marker == 0x01 || (marker >= 0xD0 && marker <= 0xD7)) continue;
        if (marker == 0xD9 || marker == 0xDA) return;  // EOI or scan data before any frame header
        if (i + 2 > n) return;
        size_t length = rd_be16(d + i);
        if (length < 2) return;
        if (marker >= 0xC0 && marker <= 0xCF && marker != 0xC4 && marker != 0xC8 && marker != 0xCC) {
            if (length < 7 || i + 7 > n) return;
            *height = rd_be16(d + i + 3);
            *width = rd_be16(d + i + 5);
            return;
        }
        i += length;
    }
}

/// Picks a decoder from the data's magic bytes and reads the image's size from its header where
/// that is cheap (0 where unknown). Returns AV_CODEC_ID_NONE for anything else.
static enum AVCodecID sniff_image(const uint8_t *d, size_t n, int64_t *width, int64_t *height) {
    *width = *height = 0;
    if (n >= 3 && d[0] == 0xFF && d[1] == 0xD8 && d[2] == 0xFF) {
        sniff_jpeg_size(d, n, width, height);
        return AV_CODEC_ID_MJPEG;
    }
    if (n >= 8 && memcmp(d, "\x89PNG\r\n\x1a\n", 8) == 0) {
        if (n >= 24 && memcmp(d + 12, "IHDR", 4) == 0) {
            *width = rd_be32(d + 16);
            *height = rd_be32(d + 20);
        }
        return AV_CODEC_ID_PNG;
    }
    if (n >= 6 && (memcmp(d, "GIF87a", 6) == 0 || memcmp(d, "GIF89a", 6) == 0)) {
        if (n >= 10) {
            *width = rd_le16(d + 6);
            *height = rd_le16(d + 8);
        }
        return AV_CODEC_ID_GIF;
    }
    if (n >= 12 && memcmp(d, "RIFF", 4) == 0 && memcmp(d + 8, "WEBP", 4) == 0) {
        if (n >= 30 && memcmp(d + 12, "VP8 ", 4) == 0 && d[23] == 0x9D && d[24] == 0x01 && d[25] == 0x2A) {
            *width = rd_le16(d + 26) & 0x3FFF;
            *height = rd_le16(d + 28) & 0x3FFF;
        } else if (n >= 25 && memcmp(d + 12, "VP8L", 4) == 0 && d[20] == 0x2F) {
            uint32_t bits = rd_le32(d + 21);
            *width = (bits & 0x3FFF) + 1;
            *height = ((bits >> 14) & 0x3FFF) + 1;
        } else if (n >= 30 && memcmp(d + 12, "VP8X", 4) == 0) {
            *width = (int64_t)rd_le24(d + 24) + 1;
            *height = (int64_t)rd_le24(d + 27) + 1;
        }
        return AV_CODEC_ID_WEBP;
    }
    if (n >= 26 && d[0] == 'B' && d[1] == 'M') {
        uint32_t header = rd_le32(d + 14);
        if (header == 12) {
            *width = rd_le16(d + 18);
            *height = rd_le16(d + 20);
        } else if (header >= 16) {
            int64_t w = (int32_t)rd_le32(d + 18), h = (int32_t)rd_le32(d + 22);
            *width = w < 0 ? -w : w;
            *height = h < 0 ? -h : h;  // negative: stored top-down
        }
        return AV_CODEC_ID_BMP;
    }
    return AV_CODEC_ID_NONE;
}

// MARK: Decoding

typedef struct image_guard {
    int too_large;
} image_guard;

/// The decoder's buffer allocator, refusing absurd sizes before any pixel memory exists.
static int image_get_buffer(AVCodecContext *ctx, AVFrame *frame, int flags) {
    image_guard *guard = ctx->opaque;
    if (frame->width <= 0 || frame->height <= 0 || image_too_large(frame->width, frame->height)) {
        if (guard) guard->too_large = 1;
        return AVERROR(ERANGE);
    }
    return avcodec_default_get_buffer2(ctx, frame, flags);
}

/// A side decoded at 1/2^lowres size, as libavcodec rounds it.
static int64_t image_shrunk(int64_t side, int lowres) { return (side + (1 << lowres) - 1) >> lowres; }

/// The longest side fits in `max_size` (0: no limit), keeping the aspect ratio.
static void image_fit(int64_t width, int64_t height, int32_t max_size, int *out_w, int *out_h) {
    if (max_size <= 0 || (width <= max_size && height <= max_size)) {
        *out_w = (int)width;
        *out_h = (int)height;
        return;
    }
    int64_t w, h;
    if (width >= height) {
        w = max_size;
        h = (height * max_size + width / 2) / width;
    } else {
        h = max_size;
        w = (width * max_size + height / 2) / height;
    }
    *out_w = (int)(w < 1 ? 1 : w);
    *out_h = (int)(h < 1 ? 1 : h);
}

/// Decodes the one image in `data` into `frame`.
static int image_decode(const uint8_t *data, size_t size, enum AVCodecID codec_id, int lowres,
                        AVFrame *frame, char *error, size_t error_size) {
    const AVCodec *decoder = avcodec_find_decoder(codec_id);
    if (!decoder) {
        char message[96];
        snprintf(message, sizeof message, "no %s decoder in this FFmpeg", avcodec_get_name(codec_id));
        return image_fail(AVERROR_DECODER_NOT_FOUND, NULL, message, error, error_size);
    }
    image_guard guard = {0};
    AVPacket *packet = NULL;
    AVCodecContext *ctx = avcodec_alloc_context3(decoder);
    if (!ctx) return image_fail(AVERROR(ENOMEM), "decoder", NULL, error, error_size);
    ctx->thread_count = 1;
    ctx->thread_type = FF_THREAD_SLICE;  // not frame threading: it warns about our get_buffer2
    ctx->max_pixels = IMAGE_MAX_PIXELS;
    ctx->opaque = &guard;
    ctx->get_buffer2 = image_get_buffer;
    if (lowres > 0 && lowres <= decoder->max_lowres) ctx->lowres = lowres;

    int rc = avcodec_open2(ctx, decoder, NULL);
    if (rc < 0) {
        rc = image_fail(rc, "opening the decoder", NULL, error, error_size);
        goto done;
    }
    packet = av_packet_alloc();
    if (!packet || (rc = av_new_packet(packet, (int)size)) < 0) {
        rc = image_fail(packet ? rc : AVERROR(ENOMEM), "decoder", NULL, error, error_size);
        goto done;
    }
    memcpy(packet->data, data, size);  // av_new_packet zeroes the padding decoders may read

    rc = avcodec_send_packet(ctx, packet);
    if (rc >= 0 || rc == AVERROR(EAGAIN)) {
        rc = avcodec_receive_frame(ctx, frame);
        if (rc == AVERROR(EAGAIN)) {
            avcodec_send_packet(ctx, NULL);  // drain: some decoders hold the frame back
            rc = avcodec_receive_frame(ctx, frame);
        }
    }
    if (guard.too_large) {
        rc = image_fail(AVERROR(ERANGE), NULL, "image too large", error, error_size);
    } else if (rc == AVERROR_EOF || rc == AVERROR(EAGAIN)) {
        rc = image_fail(AVERROR_INVALIDDATA, NULL, "no image in the data", error, error_size);
    } else if (rc < 0) {
        rc = image_fail(rc, "decoding the image", NULL, error, error_size);
    }

done:
    av_packet_free(&packet);
    avcodec_free_context(&ctx);
    return rc < 0 ? rc : 0;
}

// MARK: Converting

/// FFmpeg's deprecated full-range "J" formats as their plain twins; sets `*full_range` for them.
static enum AVPixelFormat image_plain_format(enum AVPixelFormat format, int *full_range) {
    switch (format) {
    case AV_PIX_FMT_YUVJ420P: *full_range = 1; return AV_PIX_FMT_YUV420P;
    case AV_PIX_FMT_YUVJ422P: *full_range = 1; return AV_PIX_FMT_YUV422P;
    case AV_PIX_FMT_YUVJ444P: *full_range = 1; return AV_PIX_FMT_YUV444P;
    case AV_PIX_FMT_YUVJ440P: *full_range = 1; return AV_PIX_FMT_YUV440P;
    case AV_PIX_FMT_YUVJ411P: *full_range = 1; return AV_PIX_FMT_YUV411P;
    default: return format;
    }
}

/// A scaler from one picture to another with explicit ranges (1: full, 0: limited) and BT.601
/// on the output side, which is what JPEG and WebP use. The ranges are set before the context
/// is initialised: swscale picks its unscaled shortcuts (a plain copy for yuv420p to yuv420p)
/// at initialisation, and a range set afterwards would be ignored by them.
static struct SwsContext *image_scaler(int src_w, int src_h, enum AVPixelFormat src_format,
                                       int src_full, int src_space, int dst_w, int dst_h,
                                       enum AVPixelFormat dst_format, int dst_full, int flags) {
    struct SwsContext *sws = sws_alloc_context();
    if (!sws) return NULL;
    if (av_opt_set_int(sws, "srcw", src_w, 0) < 0 || av_opt_set_int(sws, "srch", src_h, 0) < 0 ||
        av_opt_set_int(sws, "src_format", src_format, 0) < 0 ||
        av_opt_set_int(sws, "dstw", dst_w, 0) < 0 || av_opt_set_int(sws, "dsth", dst_h, 0) < 0 ||
        av_opt_set_int(sws, "dst_format", dst_format, 0) < 0 ||
        av_opt_set_int(sws, "sws_flags", flags, 0) < 0 ||
        av_opt_set_int(sws, "src_range", src_full, 0) < 0 ||
        av_opt_set_int(sws, "dst_range", dst_full, 0) < 0 || sws_init_context(sws, NULL, NULL) < 0) {
        sws_freeContext(sws);
        return NULL;
    }
    // The matrices (the ranges are unchanged, so this only matters for YUV from BT.709 and such).
    sws_setColorspaceDetails(sws, sws_getCoefficients(src_space), src_full,
                             sws_getCoefficients(SWS_CS_ITU601), dst_full, 0, 1 << 16, 1 << 16);
    return sws;
}

/// Composites packed 8-bit 4-channel pixels onto white in place. White is 255 in every colour
/// channel, so their order does not matter; only where alpha is. Alpha itself is left as it was,
/// to be read as padding (RGBA as RGB0, BGRA as BGR0, ...).
static void image_flatten(uint8_t *pixels, int linesize, int width, int height, int alpha) {
    for (int y = 0; y < height; y++) {
        uint8_t *p = pixels + (ptrdiff_t)y * linesize;
        for (int x = 0; x < width; x++, p += 4) {
            unsigned a = p[alpha];
            if (a == 255) continue;
            for (int c = 0; c < 4; c++) {
                if (c == alpha) continue;
                unsigned v = p[c] * a + 255 * (255 - a) + 128;
                p[c] = (uint8_t)((v + (v >> 8)) >> 8);  // v / 255, rounded
            }
        }
    }
}

/// Composites a PAL8 palette (native-endian 0xAARRGGBB) onto white in place.
static void image_flatten_palette(uint32_t *palette) {
    for (int i = 0; i < 256; i++) {
        uint32_t entry = palette[i], a = entry >> 24, flat = 0xFF000000u;
        for (int shift = 0; shift < 24; shift += 8) {
            uint32_t v = ((entry >> shift) & 0xFF) * a + 255 * (255 - a) + 128;
            flat |= ((v + (v >> 8)) >> 8) << shift;
        }
        palette[i] = flat;
    }
}

/// The format that reads a packed 8-bit format with alpha as opaque, or AV_PIX_FMT_NONE.
static enum AVPixelFormat image_opaque_twin(enum AVPixelFormat format) {
    switch (format) {
    case AV_PIX_FMT_RGBA: return AV_PIX_FMT_RGB0;
    case AV_PIX_FMT_BGRA: return AV_PIX_FMT_BGR0;
    case AV_PIX_FMT_ARGB: return AV_PIX_FMT_0RGB;
    case AV_PIX_FMT_ABGR: return AV_PIX_FMT_0BGR;
    default: return AV_PIX_FMT_NONE;
    }
}

/// Converts `src` (whatever the decoder made; it may be changed) into `dst`, which has its size
/// and format set and its buffers allocated. Images with alpha are composited onto white first,
/// at the source size, so transparent pixels' colours cannot bleed into the scaled result.
static int image_convert(AVFrame *src, AVFrame *dst, int dst_full, char *error, size_t error_size) {
    enum AVPixelFormat format = src->format;
    const AVPixFmtDescriptor *desc = av_pix_fmt_desc_get(format);
    if (!desc || !sws_isSupportedInput(format)) {
        char message[96];
        snprintf(message, sizeof message, "unsupported pixel format %s",
                 desc ? desc->name : "(none)");
        return image_fail(AVERROR_PATCHWELCOME, NULL, message, error, error_size);
    }
    int full = 0;
    format = image_plain_format(format, &full);
    int is_rgb = (desc->flags & (AV_PIX_FMT_FLAG_RGB | AV_PIX_FMT_FLAG_PAL)) != 0;
    int is_gray = !is_rgb && desc->nb_components <= 2;
    if (src->color_range == AVCOL_RANGE_JPEG) full = 1;
    // Grey images come from PNG and JPEG, where they are full range unless they say otherwise.
    if (is_gray && src->color_range != AVCOL_RANGE_MPEG) full = 1;
    int space = SWS_CS_DEFAULT;
    if (src->colorspace == AVCOL_SPC_BT709 || src->colorspace == AVCOL_SPC_FCC ||
        src->colorspace == AVCOL_SPC_SMPTE240M || src->colorspace == AVCOL_SPC_BT2020_NCL ||
        src->colorspace == AVCOL_SPC_BT2020_CL)
        space = (int)src->colorspace;

    int rc = 0;
    struct SwsContext *sws = NULL;
    AVFrame *rgba = NULL;
    const AVFrame *input = src;
    if (desc->flags & AV_PIX_FMT_FLAG_ALPHA) {
        enum AVPixelFormat twin = image_opaque_twin(format);
        if ((twin != AV_PIX_FMT_NONE || format == AV_PIX_FMT_PAL8) &&
            (rc = av_frame_make_writable(src)) < 0)
            goto fail;
        if (twin != AV_PIX_FMT_NONE) {
            // RGBA and its kin (PNG, GIF, BMP, lossless WebP): in place.
            image_flatten(src->data[0], src->linesize[0], src->width, src->height, desc->comp[3].offset);
            format = twin;
        } else if (format == AV_PIX_FMT_PAL8) {
            image_flatten_palette((uint32_t *)src->data[1]);
        } else {
            // Anything else with alpha (YUVA, grey + alpha, 16-bit, planar): through RGBA.
            rgba = av_frame_alloc();
            if (!rgba) { rc = AVERROR(ENOMEM); goto fail; }
            rgba->width = src->width;
            rgba->height = src->height;
            rgba->format = AV_PIX_FMT_RGBA;
            if ((rc = av_frame_get_buffer(rgba, 0)) < 0) goto fail;
            sws = image_scaler(src->width, src->height, format, full, space, src->width, src->height,
                               AV_PIX_FMT_RGBA, 1, IMAGE_CONVERT_FLAGS);
            if (!sws) { rc = AVERROR(EINVAL); goto fail; }
            rc = sws_scale(sws, (const uint8_t *const *)src->data, src->linesize, 0, src->height,
                           rgba->data, rgba->linesize);
            sws_freeContext(sws);
            sws = NULL;
            if (rc <= 0) { rc = rc < 0 ? rc : AVERROR(EINVAL); goto fail; }
            image_flatten(rgba->data[0], rgba->linesize[0], rgba->width, rgba->height, 3);
            av_frame_unref(src);  // the full-size source is no longer needed
            input = rgba;
            format = AV_PIX_FMT_RGB0;
            full = 1;
            space = SWS_CS_DEFAULT;
        }
    }
    int flags = (input->width == dst->width && input->height == dst->height) ? IMAGE_CONVERT_FLAGS
                                                                             : IMAGE_SCALE_FLAGS;
    sws = image_scaler(input->width, input->height, format, full, space, dst->width, dst->height,
                       dst->format, dst_full, flags);
    if (!sws) { rc = AVERROR(EINVAL); goto fail; }
    rc = sws_scale(sws, (const uint8_t *const *)input->data, input->linesize, 0, input->height,
                   dst->data, dst->linesize);
    if (rc <= 0) { rc = rc < 0 ? rc : AVERROR(EINVAL); goto fail; }
    rc = 0;

fail:
    sws_freeContext(sws);
    av_frame_free(&rgba);
    return rc < 0 ? image_fail(rc, "scaling the image", NULL, error, error_size) : 0;
}

// MARK: Encoding

static const char *image_encoder_name(const char *format) {
    if (!format) return NULL;
    if (strcmp(format, "jpeg") == 0) return "mjpeg";
    if (strcmp(format, "webp") == 0) return "libwebp";
    return NULL;
}

/// Quality 1-100 as the mjpeg encoder's qscale (2 best - 31 worst), following libjpeg's quality
/// scale (50 = the standard tables, 100 - quality halving them above that): measured on photos,
/// qscale 0.145 x libjpeg's table percentage gives about the same PSNR and size. 95 and up: 2,
/// 90: 3, 85: 4, 75: 7, 50: 15, 25 and below: 29-31.
static int image_jpeg_qscale(int quality) {
    int percent = quality < 50 ? 5000 / quality : 200 - 2 * quality;
    int q = (percent * 145 + 500) / 1000;
    return q < 2 ? 2 : q > 31 ? 31 : q;
}

/// Encodes `frame` into a freshly av_malloc'd buffer.
static int image_encode(const AVCodec *encoder, int is_webp, int quality, AVFrame *frame,
                        uint8_t **out, size_t *out_size, char *error, size_t error_size) {
    AVPacket *packet = NULL;
    AVCodecContext *ctx = avcodec_alloc_context3(encoder);
    if (!ctx) return image_fail(AVERROR(ENOMEM), "encoder", NULL, error, error_size);
    ctx->width = frame->width;
    ctx->height = frame->height;
    ctx->pix_fmt = frame->format;
    ctx->color_range = frame->color_range;
    ctx->time_base = (AVRational){1, 25};
    ctx->sample_aspect_ratio = (AVRational){1, 1};
    ctx->thread_count = 1;
    if (is_webp) {
        ctx->global_quality = quality * FF_QP2LAMBDA;
        ctx->compression_level = 4;
    } else {
        ctx->flags |= AV_CODEC_FLAG_QSCALE | AV_CODEC_FLAG_BITEXACT;  // BITEXACT: no "Lavc" comment
        ctx->global_quality = image_jpeg_qscale(quality) * FF_QP2LAMBDA;
        frame->quality = ctx->global_quality;
        frame->pict_type = AV_PICTURE_TYPE_I;
    }

    int rc = avcodec_open2(ctx, encoder, NULL);
    if (rc < 0) {
        rc = image_fail(rc, "opening the encoder", NULL, error, error_size);
        goto done;
    }
    packet = av_packet_alloc();
    if (!packet) {
        rc = image_fail(AVERROR(ENOMEM), "encoder", NULL, error, error_size);
        goto done;
    }
    rc = avcodec_send_frame(ctx, frame);
    if (rc >= 0) {
        rc = avcodec_receive_packet(ctx, packet);
        if (rc == AVERROR(EAGAIN)) {
            avcodec_send_frame(ctx, NULL);
            rc = avcodec_receive_packet(ctx, packet);
        }
    }
    if (rc < 0) {
        rc = image_fail(rc, "encoding the image", NULL, error, error_size);
        goto done;
    }
    if (packet->size <= 0) {
        rc = image_fail(AVERROR_UNKNOWN, NULL, "the encoder produced nothing", error, error_size);
        goto done;
    }
    *out = av_malloc((size_t)packet->size);
    if (!*out) {
        rc = image_fail(AVERROR(ENOMEM), "encoder", NULL, error, error_size);
        goto done;
    }
    memcpy(*out, packet->data, (size_t)packet->size);
    *out_size = (size_t)packet->size;
    rc = 0;

done:
    av_packet_free(&packet);
    avcodec_free_context(&ctx);
    return rc;
}

// MARK: API

// Input: JPEG (baseline, progressive, grey, CMYK/YCCK), PNG (any depth, palette, alpha; APNG's
// first image), WebP (lossy, lossless, alpha; not animated: FFmpeg 5.1 cannot), GIF (first
// frame) and BMP, told apart by their magic bytes. Output is always opaque: images with alpha are
// composited onto white, for WebP as well as JPEG, so a cover looks the same in either format.
int canto_image_scale(const uint8_t *data, size_t size, int32_t max_size, const char *format,
                      int32_t quality, uint8_t **out, size_t *out_size, int32_t *out_width,
                      int32_t *out_height, char *error, size_t error_size) {
    image_copy_string(error, error_size, "");
    if (out) *out = NULL;
    if (out_size) *out_size = 0;
    if (out_width) *out_width = 0;
    if (out_height) *out_height = 0;
    if (!out || !out_size)
        return image_fail(AVERROR(EINVAL), NULL, "no place for the output", error, error_size);
    if (!data || size == 0)
        return image_fail(AVERROR_INVALIDDATA, NULL, "not an image", error, error_size);
    if (size > (size_t)INT_MAX - AV_INPUT_BUFFER_PADDING_SIZE)
        return image_fail(AVERROR(ERANGE), NULL, "image too large", error, error_size);

    const char *encoder_name = image_encoder_name(format);
    if (!encoder_name) {
        char message[96];
        snprintf(message, sizeof message, "unsupported output format \"%.40s\"", format ? format : "");
        return image_fail(AVERROR(EINVAL), NULL, message, error, error_size);
    }
    const AVCodec *encoder = avcodec_find_encoder_by_name(encoder_name);
    if (!encoder) {
        char message[96];
        snprintf(message, sizeof message, "no %s encoder in this FFmpeg", encoder_name);
        return image_fail(AVERROR_ENCODER_NOT_FOUND, NULL, message, error, error_size);
    }
    int is_webp = strcmp(encoder_name, "libwebp") == 0;
    if (quality < 1) quality = 1;
    if (quality > 100) quality = 100;

    int64_t header_w = 0, header_h = 0;
    enum AVCodecID codec_id = sniff_image(data, size, &header_w, &header_h);
    if (codec_id == AV_CODEC_ID_NONE)
        return image_fail(AVERROR_INVALIDDATA, NULL, "not an image", error, error_size);
    if (image_too_large(header_w, header_h))
        return image_fail(AVERROR(ERANGE), NULL, "image too large", error, error_size);

    // A JPEG much larger than the target decodes at 1/2, 1/4 or 1/8 size (libavcodec's lowres,
    // scaling in the DCT domain), keeping at least twice the target's size so the final resize
    // still filters properly: measured, this matches a full decode's quality (PSNR against a
    // full-size Lanczos reference) while 3000x3000 -> 300 takes a third of the time. Decoding
    // straight to the target size is faster again, but sharper with some aliasing.
    int lowres = 0;
    int target_w = 0, target_h = 0;
    if (codec_id == AV_CODEC_ID_MJPEG && header_w > 0 && header_h > 0 && max_size > 0) {
        image_fit(header_w, header_h, max_size, &target_w, &target_h);
        while (lowres < IMAGE_MAX_LOWRES && image_shrunk(header_w, lowres + 1) >= 2 * target_w &&
               image_shrunk(header_h, lowres + 1) >= 2 * target_h)
            lowres++;
    }

    AVFrame *decoded = av_frame_alloc();
    AVFrame *scaled = av_frame_alloc();
    int rc;
    if (!decoded || !scaled) {
        rc = image_fail(AVERROR(ENOMEM), "allocating frames", NULL, error, error_size);
        goto done;
    }
    rc = image_decode(data, size, codec_id, lowres, decoded, error, error_size);
    if (rc < 0 && lowres > 0 && rc != AVERROR(ERANGE)) {
        // Reduced-size decoding is not implemented for every JPEG (YCCK, for one): decode fully.
        lowres = 0;
        image_copy_string(error, error_size, "");
        rc = image_decode(data, size, codec_id, 0, decoded, error, error_size);
    }
    if (rc < 0) goto done;
    if (decoded->width <= 0 || decoded->height <= 0 ||
        image_too_large(decoded->width, decoded->height)) {
        rc = image_fail(AVERROR(ERANGE), NULL, "image too large", error, error_size);
        goto done;
    }

    // The decoded size stands for the header's when a reduced-size decode gave what was asked;
    // otherwise (no header size, or a header that lied) the decoded picture is the source.
    int w, h;
    if (lowres > 0 && decoded->width == image_shrunk(header_w, lowres) &&
        decoded->height == image_shrunk(header_h, lowres)) {
        w = target_w;
        h = target_h;
    } else {
        image_fit(decoded->width, decoded->height, max_size, &w, &h);
    }
    if (w > decoded->width || h > decoded->height)  // never upscale
        image_fit(decoded->width, decoded->height, max_size, &w, &h);
    if (is_webp && (w > IMAGE_WEBP_MAX_SIDE || h > IMAGE_WEBP_MAX_SIDE)) {
        rc = image_fail(AVERROR(ERANGE), NULL, "image too large for WebP (16383 pixels a side at most)",
                        error, error_size);
        goto done;
    }

    // JPEG: full-range BT.601 4:2:0 (JFIF); WebP (VP8): limited-range BT.601 4:2:0.
    scaled->width = w;
    scaled->height = h;
    scaled->format = AV_PIX_FMT_YUV420P;
    scaled->color_range = is_webp ? AVCOL_RANGE_MPEG : AVCOL_RANGE_JPEG;
    scaled->colorspace = AVCOL_SPC_BT470BG;
    if ((rc = av_frame_get_buffer(scaled, 0)) < 0) {
        rc = image_fail(rc, "allocating the scaled image", NULL, error, error_size);
        goto done;
    }
    rc = image_convert(decoded, scaled, !is_webp, error, error_size);
    if (rc < 0) goto done;
    av_frame_unref(decoded);  // free the full-size picture before encoding

    rc = image_encode(encoder, is_webp, quality, scaled, out, out_size, error, error_size);
    if (rc < 0) goto done;
    if (out_width) *out_width = w;
    if (out_height) *out_height = h;

done:
    av_frame_free(&decoded);
    av_frame_free(&scaled);
    return rc;
}

int canto_image_can_encode(const char *format) {
    const char *name = image_encoder_name(format);
    return name && avcodec_find_encoder_by_name(name) ? 1 : 0;
}

void canto_free(void *pointer) { av_free(pointer); }
