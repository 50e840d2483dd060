// Internal: reading and writing the user's files safely. Reads are bounded (a file larger than
// the budget is refused before it is read whole); writes replace the target atomically (a
// temporary file in the same directory, flushed, fsynced and renamed over it), so an interrupted
// or failed write never leaves a half-written or emptied file; an output that is one of the
// command's inputs is refused before anything is written.
#ifndef OPCOST_SRC_IO_FILE_IO_H_
#define OPCOST_SRC_IO_FILE_IO_H_

#include <cstdint>
#include <string>
#include <vector>

namespace opcost::detail {

// The largest input file any reader accepts, in bytes: 1 GiB by default (real models are
// megabytes), or $OPCOST_MAX_INPUT_BYTES when set to a positive integer.
std::int64_t MaxInputBytes();
// The most values (numbers, strings, arrays, objects) a JSON input may hold: MaxInputBytes() / 16,
// at least 2^20, so the parsed document stays within about the input budget in memory.
std::int64_t MaxJsonValues();

// Reads a whole input file, at most MaxInputBytes(): /dev/zero or a runaway file ends at the
// budget, not when memory runs out. Throws Error{kIo} naming the path and the reason (a
// directory is named as one, not read as an empty file).
std::string ReadInputFile(const std::string& path);

// RFC 3629: no overlong forms, no surrogates, nothing above U+10FFFF (as strict as nlohmann's
// serializer, which throws on anything else).
bool IsValidUtf8(const std::string& s);

// Writes `text` to `path` atomically. Throws Error{kIo} naming the path and the reason (the
// target is then unchanged).
void WriteFileAtomically(const std::string& path, const std::string& text);

// Throws Error{kInvalidArgument} if `output` is the same file as any of `inputs` (same device
// and inode, so links and other spellings count). A missing file is no input.
void RefuseOverwritingInputs(const std::string& output, const std::vector<std::string>& inputs);

}  // namespace opcost::detail

#endif  // OPCOST_SRC_IO_FILE_IO_H_
