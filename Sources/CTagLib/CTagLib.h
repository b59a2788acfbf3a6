// TagLib is C++; Swift never sees its headers. This module only carries the pkg-config
// flags (include path, -ltag) to CTagLibShim, whose extern "C" API is what Swift calls.
