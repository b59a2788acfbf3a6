// CTagLibShim: the C API of CTagLibShim.h implemented over TagLib 1.13's C++ API.
//
// TagLib throws (std::bad_alloc at least) and Swift cannot catch C++ exceptions, so
// every extern "C" entry point catches everything and reports through its return value.
#include "CTagLibShim.h"

#include <aifffile.h>
#include <apefile.h>
#include <apetag.h>
#include <asftag.h>
#include <attachedpictureframe.h>
#include <fileref.h>
#include <taglib.h>
#include <flacfile.h>
#include <flacproperties.h>
#include <id3v2tag.h>
#include <infotag.h>
#include <mp4file.h>
#include <mp4properties.h>
#include <mp4tag.h>
#include <mpegfile.h>
#include <opusfile.h>
#include <synchronizedlyricsframe.h>
#include <tpropertymap.h>
#include <unsynchronizedlyricsframe.h>
#include <vorbisfile.h>
#include <wavfile.h>
#include <wavpackfile.h>
#include <xiphcomment.h>

#include <cstdarg>
#include <cstdio>
#include <cctype>
#include <cstdlib>
#include <cstring>
#include <mutex>
#include <new>
#include <string>

using namespace TagLib;

namespace {

// The APE item that by convention (foobar2000, Mp3tag) holds the front cover:
// "<file name>\0<image bytes>".
const char *const kApeCoverKey = "COVER ART (FRONT)";

void setError(char *error, size_t size, const char *format, ...) {
    if (error == nullptr || size == 0) return;
    va_list args;
    va_start(args, format);
    vsnprintf(error, size, format, args);
    va_end(args);
    error[size - 1] = '\0';
}

// malloc'd copies, so canto_tags_free can free() everything.
char *dupString(const char *s) {
    char *copy = strdup(s);
    if (copy == nullptr) throw std::bad_alloc();
    return copy;
}

struct Picture {
    ByteVector data;
    String mime;
};

// MP4 "covr" items carry a format code instead of a MIME type.
const struct { MP4::CoverArt::Format format; const char *mime; } kCoverFormats[] = {
    {MP4::CoverArt::JPEG, "image/jpeg"}, {MP4::CoverArt::PNG, "image/png"},
    {MP4::CoverArt::BMP, "image/bmp"},   {MP4::CoverArt::GIF, "image/gif"},
};

String sniffMime(const ByteVector &d) {
    if (d.startsWith(ByteVector("\xFF\xD8", 2))) return "image/jpeg";
    if (d.startsWith(ByteVector("\x89PNG", 4))) return "image/png";
    if (d.size() >= 12 && d.startsWith("RIFF") && d.mid(8, 4) == "WEBP") return "image/webp";
    if (d.startsWith("GIF8")) return "image/gif";
    if (d.startsWith("BM")) return "image/bmp";
    return String();
}

Picture makePicture(const ByteVector &data, const String &mime) {
    return Picture{data, mime.isEmpty() ? sniffMime(data) : mime};
}

// The ID3v2 tag of the formats that carry one (WAV and AIFF always have one in TagLib).
ID3v2::Tag *id3v2TagOf(File *file, bool create = false) {
    if (auto *f = dynamic_cast<MPEG::File *>(file)) return f->ID3v2Tag(create);
    if (auto *f = dynamic_cast<RIFF::WAV::File *>(file)) return f->ID3v2Tag();
    if (auto *f = dynamic_cast<RIFF::AIFF::File *>(file)) return f->tag();
    return nullptr;
}

APE::Tag *apeTagOf(File *file, bool create = false) {
    if (auto *f = dynamic_cast<WavPack::File *>(file)) return f->APETag(create);
    if (auto *f = dynamic_cast<APE::File *>(file)) return f->APETag(create);
    return nullptr;
}

// Ogg Vorbis, Opus (and Speex / Ogg FLAC) expose their XiphComment as tag().
Ogg::XiphComment *xiphTagOf(File *file) { return dynamic_cast<Ogg::XiphComment *>(file->tag()); }

// ---- reading ----------------------------------------------------------------------

bool hasAudio(const AudioProperties *p) {
    return p != nullptr && (p->lengthInMilliseconds() > 0 || p->sampleRate() > 0);
}

void readAudioProperties(File *file, canto_tags *out) {
    AudioProperties *p = file->audioProperties();
    if (p == nullptr) return;
    out->duration_ms = p->lengthInMilliseconds();
    out->bitrate_kbps = p->bitrate();
    out->sample_rate = p->sampleRate();
    out->channels = p->channels();
    if (auto *q = dynamic_cast<FLAC::Properties *>(p)) out->bit_depth = q->bitsPerSample();
    else if (auto *q = dynamic_cast<RIFF::WAV::Properties *>(p)) out->bit_depth = q->bitsPerSample();
    else if (auto *q = dynamic_cast<RIFF::AIFF::Properties *>(p)) out->bit_depth = q->bitsPerSample();
    else if (auto *q = dynamic_cast<WavPack::Properties *>(p)) out->bit_depth = q->bitsPerSample();
    else if (auto *q = dynamic_cast<APE::Properties *>(p)) out->bit_depth = q->bitsPerSample();
    else if (auto *q = dynamic_cast<MP4::Properties *>(p)) {
        out->bit_depth = q->bitsPerSample();
        const char *codec = q->codec() == MP4::Properties::ALAC ? "alac"
                          : q->codec() == MP4::Properties::AAC ? "aac" : "";
        snprintf(out->codec, sizeof out->codec, "%s", codec);
    }
}

// file->properties() plus what TagLib's PropertyMap leaves out for some formats.
PropertyMap readProperties(File *file) {
    PropertyMap map = file->properties();
    // TagLib 1.13 maps "cpil" itself, but only a fixed list of MP4 freeform atoms; the rest
    // (ReplayGain among them) end up in unsupportedData as "----:mean:name".
    if (auto *mp4 = dynamic_cast<MP4::File *>(file); mp4 && mp4->tag()) {
        const StringList atoms = map.unsupportedData();
        for (const String &atom : atoms) {
            if (!atom.startsWith("----:")) continue;
            const String key = atom.substr(atom.rfind(":") + 1).upper();
            const StringList values = mp4->tag()->item(atom).toStringList();
            if (!key.isEmpty() && !values.isEmpty() && !map.contains(key)) map.insert(key, values);
        }
    }
    // TagLib names a USLT frame with a description "LYRICS:<description>".
    if (ID3v2::Tag *tag = id3v2TagOf(file); tag && !map.contains("LYRICS")) {
        const ID3v2::FrameList &frames = tag->frameList("USLT");
        if (!frames.isEmpty())
            if (auto *uslt = dynamic_cast<ID3v2::UnsynchronizedLyricsFrame *>(frames.front()))
                map.insert("LYRICS", StringList(uslt->text()));
    }
    return map;
}

void fillFields(const PropertyMap &map, canto_tags *out) {
    size_t count = 0;
    for (const auto &entry : map) count += entry.second.size();
    if (count == 0) return;
    out->fields = static_cast<canto_tag_field *>(calloc(count, sizeof(canto_tag_field)));
    if (out->fields == nullptr) throw std::bad_alloc();
    for (const auto &entry : map) {
        for (const String &value : entry.second) {
            canto_tag_field &field = out->fields[out->field_count];
            field.key = dupString(entry.first.toCString(true));
            out->field_count++;  // counted now so canto_tags_free frees key if value throws
            field.value = dupString(value.toCString(true));
        }
    }
}

template <typename Pictures>
bool pickFlacPicture(const Pictures &pictures, Picture &out) {
    if (pictures.isEmpty()) return false;
    FLAC::Picture *chosen = pictures.front();
    for (FLAC::Picture *p : pictures)
        if (p->type() == FLAC::Picture::FrontCover) { chosen = p; break; }
    out = makePicture(chosen->data(), chosen->mimeType());
    return true;
}

bool findPicture(File *file, Picture &out) {
    if (ID3v2::Tag *tag = id3v2TagOf(file)) {
        ID3v2::AttachedPictureFrame *chosen = nullptr;
        for (ID3v2::Frame *frame : tag->frameList("APIC")) {
            auto *apic = dynamic_cast<ID3v2::AttachedPictureFrame *>(frame);
            if (apic == nullptr) continue;
            if (chosen == nullptr) chosen = apic;
            if (apic->type() == ID3v2::AttachedPictureFrame::FrontCover) { chosen = apic; break; }
        }
        if (chosen) { out = makePicture(chosen->picture(), chosen->mimeType()); return true; }
    }
    if (auto *flac = dynamic_cast<FLAC::File *>(file)) {
        if (pickFlacPicture(flac->pictureList(), out)) return true;
        // Some taggers put METADATA_BLOCK_PICTURE into the FLAC file's Vorbis comment.
        if (Ogg::XiphComment *xiph = flac->xiphComment())
            return pickFlacPicture(xiph->pictureList(), out);
        return false;
    }
    if (auto *mp4 = dynamic_cast<MP4::File *>(file)) {
        if (mp4->tag() == nullptr || !mp4->tag()->contains("covr")) return false;
        const MP4::CoverArtList covers = mp4->tag()->item("covr").toCoverArtList();
        if (covers.isEmpty()) return false;
        const MP4::CoverArt &cover = covers.front();  // MP4 has no picture types
        String mime;
        for (const auto &f : kCoverFormats)
            if (f.format == cover.format()) mime = f.mime;
        out = makePicture(cover.data(), mime);
        return true;
    }
    if (Ogg::XiphComment *xiph = xiphTagOf(file)) return pickFlacPicture(xiph->pictureList(), out);
    if (APE::Tag *ape = apeTagOf(file)) {
        const APE::ItemListMap &items = ape->itemListMap();
        auto it = items.find(kApeCoverKey);  // keys are stored upper-cased
        if (it == items.end()) return false;
        const ByteVector data = it->second.binaryData();
        const int nul = data.find(ByteVector(1, '\0'));
        if (nul < 0) return false;
        out = makePicture(data.mid(nul + 1), String());
        return !out.data.isEmpty();
    }
    return false;
}

// The first SYLT frame with millisecond timestamps as LRC text; empty when none.
std::string syncedLyrics(File *file) {
    ID3v2::Tag *tag = id3v2TagOf(file);
    if (tag == nullptr) return std::string();
    for (ID3v2::Frame *frame : tag->frameList("SYLT")) {
        auto *sylt = dynamic_cast<ID3v2::SynchronizedLyricsFrame *>(frame);
        if (sylt == nullptr ||
            sylt->timestampFormat() != ID3v2::SynchronizedLyricsFrame::AbsoluteMilliseconds)
            continue;  // MPEG-frame timestamps would need the frame rate
        std::string lrc;
        for (const auto &line : sylt->synchedText()) {
            char stamp[32];
            snprintf(stamp, sizeof stamp, "[%02u:%02u.%02u]", line.time / 60000,
                     line.time / 1000 % 60, line.time % 1000 / 10);
            lrc += stamp;
            lrc += line.text.toCString(true);
            lrc += '\n';
        }
        if (!lrc.empty()) return lrc;
    }
    return std::string();
}

// ---- writing ----------------------------------------------------------------------

// Stores what MP4::Tag::setProperties rejected as iTunes freeform atoms, after dropping the
// old unmapped atoms, so a write replaces everything readProperties reports.
void setMP4Freeform(MP4::Tag *tag, const PropertyMap &rejected) {
    const PropertyMap current = tag->properties();
    for (const String &atom : current.unsupportedData())
        if (atom.startsWith("----:")) tag->removeItem(atom);
    for (const auto &entry : rejected) {
        std::string name = entry.first.to8Bit(true);
        // Picard, foobar2000 and rsgain spell the ReplayGain atoms in lower case.
        if (name.rfind("REPLAYGAIN_", 0) == 0)
            for (char &c : name) c = static_cast<char>(tolower(static_cast<unsigned char>(c)));
        tag->setItem("----:com.apple.iTunes:" + String(name, String::UTF8), entry.second);
    }
}

FLAC::Picture *newFlacPicture(const Picture &picture) {
    auto *p = new FLAC::Picture();
    p->setType(FLAC::Picture::FrontCover);
    p->setMimeType(picture.mime);
    p->setData(picture.data);
    return p;
}

bool setCover(File *file, const Picture &picture) {
    if (ID3v2::Tag *tag = id3v2TagOf(file, true)) {
        tag->removeFrames("APIC");
        auto *apic = new ID3v2::AttachedPictureFrame();
        apic->setType(ID3v2::AttachedPictureFrame::FrontCover);
        apic->setMimeType(picture.mime);
        apic->setPicture(picture.data);
        tag->addFrame(apic);  // the tag owns the frame
        return true;
    }
    if (auto *flac = dynamic_cast<FLAC::File *>(file)) {
        flac->removePictures();
        flac->addPicture(newFlacPicture(picture));
        return true;
    }
    if (auto *mp4 = dynamic_cast<MP4::File *>(file)) {
        MP4::CoverArt::Format format = MP4::CoverArt::Unknown;
        for (const auto &f : kCoverFormats)
            if (picture.mime == f.mime) format = f.format;
        MP4::CoverArtList covers;
        covers.append(MP4::CoverArt(format, picture.data));
        mp4->tag()->setItem("covr", covers);
        return true;
    }
    if (Ogg::XiphComment *xiph = xiphTagOf(file)) {
        xiph->removeAllPictures();
        xiph->addPicture(newFlacPicture(picture));
        return true;
    }
    if (APE::Tag *ape = apeTagOf(file, true)) {
        const char *name = picture.mime == "image/png" ? "cover.png" : "cover.jpg";
        ByteVector data(name);
        data.append('\0');
        data.append(picture.data);
        ape->setData(kApeCoverKey, data);
        return true;
    }
    return false;
}

bool saveFile(File *file) {
    // ID3v2.4 keeps several values of one frame NUL-separated; v2.3 would join them with "/".
    // DoNotDuplicate: don't create an ID3v1 tag the file did not have.
    if (auto *f = dynamic_cast<MPEG::File *>(file))
        return f->save(MPEG::File::AllTags, File::StripNone, ID3v2::v4, File::DoNotDuplicate);
    if (auto *f = dynamic_cast<RIFF::WAV::File *>(file))
        return f->save(RIFF::WAV::File::AllTags, File::StripOthers, ID3v2::v4);
    if (auto *f = dynamic_cast<RIFF::AIFF::File *>(file)) return f->save(ID3v2::v4);
    return file->save();
}

// TagLib 1.x fills some of its translation tables (ID3v2 frame IDs to property names, MP4 and
// ASF names) on first use without a lock, so two threads reading or writing tags for the first
// time at once can corrupt them: the generator crashed in libtag when every core began writing
// tags together. Each table is filled here once, before any file is opened.
void prepareTagLib() {
    static std::once_flag once;
    std::call_once(once, [] {
      try {
        PropertyMap map;
        for (const char *key : {"TITLE", "ARTIST", "ALBUM", "ALBUMARTIST", "COMPOSER", "GENRE", "DATE",
                                "TRACKNUMBER", "DISCNUMBER", "LYRICS", "COMMENT", "COMPILATION",
                                "MUSICBRAINZ_TRACKID", "REPLAYGAIN_TRACK_GAIN", "CANTO_PREPARED"})
            map[key].append("1");
        ID3v2::Tag id3;
        id3.setProperties(map);
        id3.properties();
        MP4::Tag mp4;
        mp4.setProperties(map);
        mp4.properties();
        ASF::Tag asf;
        asf.setProperties(map);
        asf.properties();
        APE::Tag ape;
        ape.setProperties(map);
        ape.properties();
        Ogg::XiphComment xiph;
        xiph.setProperties(map);
        xiph.properties();
        RIFF::Info::Tag info;
        info.setProperties(map);
        info.properties();
      } catch (...) {
          // Only a warm-up: a failure here leaves the tables to be filled on first use.
      }
    });
}

}  // namespace

extern "C" {

canto_tags *canto_tags_read(const char *path, int want_picture, char *error, size_t error_size) {
    prepareTagLib();
    canto_tags *tags = nullptr;
    try {
        if (path == nullptr) { setError(error, error_size, "no path"); return nullptr; }
        FileRef ref(path, true, AudioProperties::Average);
        // TagLib accepts random bytes named .mp3/.ape as valid files with empty properties;
        // a file with neither audio nor tags is not something we can use.
        const PropertyMap map = ref.isNull() ? PropertyMap() : readProperties(ref.file());
        if (ref.isNull() || (!hasAudio(ref.audioProperties()) && map.isEmpty())) {
            setError(error, error_size, "TagLib cannot read this file: %s", path);
            return nullptr;
        }
        File *file = ref.file();
        tags = static_cast<canto_tags *>(calloc(1, sizeof(canto_tags)));
        if (tags == nullptr) throw std::bad_alloc();
        readAudioProperties(file, tags);
        fillFields(map, tags);
        Picture picture;
        if (want_picture != 0 && findPicture(file, picture) && !picture.data.isEmpty()) {
            tags->picture = static_cast<unsigned char *>(malloc(picture.data.size()));
            if (tags->picture == nullptr) throw std::bad_alloc();
            memcpy(tags->picture, picture.data.data(), picture.data.size());
            tags->picture_size = picture.data.size();
            snprintf(tags->picture_mime, sizeof tags->picture_mime, "%s",
                     picture.mime.toCString(true));
        }
        const std::string lrc = syncedLyrics(file);
        if (!lrc.empty()) tags->synced_lyrics = dupString(lrc.c_str());
        return tags;
    } catch (const std::exception &e) {
        setError(error, error_size, "reading tags failed: %s", e.what());
    } catch (...) {
        setError(error, error_size, "reading tags failed: unknown C++ exception");
    }
    canto_tags_free(tags);
    return nullptr;
}

void canto_tags_free(canto_tags *tags) {
    if (tags == nullptr) return;
    for (size_t i = 0; i < tags->field_count; i++) {
        free(tags->fields[i].key);
        free(tags->fields[i].value);
    }
    free(tags->fields);
    free(tags->picture);
    free(tags->synced_lyrics);
    free(tags);
}

int canto_tags_write(const char *path, const canto_tag_field *fields, size_t field_count,
                     const unsigned char *picture, size_t picture_size, const char *picture_mime,
                     char *error, size_t error_size) {
    prepareTagLib();
    try {
        if (path == nullptr) { setError(error, error_size, "no path"); return -1; }
        // Audio properties only to refuse files TagLib merely tolerates (random bytes named
        // .mp3 would otherwise get an ID3v2 tag prepended).
        FileRef ref(path, true, AudioProperties::Fast);
        if (ref.isNull() || !hasAudio(ref.audioProperties())) {
            setError(error, error_size, "TagLib cannot open this file: %s", path);
            return -1;
        }
        File *file = ref.file();
        if (file->readOnly()) {
            setError(error, error_size, "file is read-only: %s", path);
            return -1;
        }
        PropertyMap map;
        for (size_t i = 0; i < field_count; i++) {
            if (fields[i].key == nullptr || fields[i].value == nullptr) continue;
            // operator[] creates the key on first use; repeats append further values.
            map[String(fields[i].key, String::UTF8)].append(String(fields[i].value, String::UTF8));
        }
        // Replaces all properties; pictures are left alone.
        const PropertyMap rejected = file->setProperties(map);
        if (auto *mp4 = dynamic_cast<MP4::File *>(file); mp4 && mp4->tag())
            setMP4Freeform(mp4->tag(), rejected);
        if (picture != nullptr && picture_size > 0) {
            ByteVector data(reinterpret_cast<const char *>(picture), static_cast<unsigned>(picture_size));
            String mime = picture_mime ? String(picture_mime, String::UTF8) : String();
            if (!setCover(file, makePicture(data, mime))) {
                setError(error, error_size, "cannot store a picture in this format: %s", path);
                return -1;
            }
        }
        if (!saveFile(file)) {
            setError(error, error_size, "TagLib could not save the file: %s", path);
            return -1;
        }
        return 0;
    } catch (const std::exception &e) {
        setError(error, error_size, "writing tags failed: %s", e.what());
    } catch (...) {
        setError(error, error_size, "writing tags failed: unknown C++ exception");
    }
    return -1;
}

}  // extern "C"

extern "C" const char *canto_taglib_version(void) {
    // The header's version: Debian builds the library and the headers from one source package.
#define CANTO_STRINGIFY2(x) #x
#define CANTO_STRINGIFY(x) CANTO_STRINGIFY2(x)
    return CANTO_STRINGIFY(TAGLIB_MAJOR_VERSION) "." CANTO_STRINGIFY(TAGLIB_MINOR_VERSION) "." CANTO_STRINGIFY(
        TAGLIB_PATCH_VERSION);
}
