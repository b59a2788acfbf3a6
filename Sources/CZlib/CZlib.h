// zlib from the system (Debian's zlib1g-dev): gzip for answers kept compressed.
#include <zlib.h>
