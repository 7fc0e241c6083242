# The compile server that rules_pyc runs inside each CPython child.
#
# It is started as `python -S -s -B -c <this text>` in a clean environment
# with PYTHONHASHSEED=0 and PYTHONSAFEPATH=1, and imports py_compile, so
# that its interpreter state is the state of a fresh process that is about
# to call py_compile.compile().
# It never compiles anything itself: for each request it forks, and the forked
# child runs py_compile.compile() on the source (reading it from memory and
# handing back the bytes instead of writing a file), then exits.  Every
# compile therefore starts from the same pristine state, and marshal's
# reference flags (which follow reference counts and interned strings) cannot
# depend on what was compiled before.
#
# Every name and string in this file is one that a process which has imported
# py_compile already holds.  Up to 3.11, marshal flags a string as shared
# when its reference count is above one, so a name used here but nowhere in
# py_compile's process would be flagged in our output and not in py_compile's.
# A test checks the rule.
#
# Protocol, on file descriptors 0 (requests) and 1 (responses), little-endian:
#   first, unasked: u32 len(hello), hello (see below)
#   request:  u8 flags (bits 0-1: optimize level; bit 7: stub on error),
#             u32 len(name), u32 len(source), name (UTF-8, surrogateescape),
#             source bytes
#   response: u32 len(payload), u8 status, payload
#     status 0: payload is marshal.dumps(code), as py_compile writes it
#     status 1: payload is py_compile's error message (UTF-8)
#     status 2: payload is the child's wait status (decimal); it died
#     status 3: payload is u32 len(message), py_compile's error message, then
#               the marshalled code of a module that raises the same
#               exception (only when the request asked for it)
import sys

# `python -c` puts the working directory first on sys.path, unless
# PYTHONSAFEPATH is set, which releases before 3.11 ignore.  A file there
# named like a module py_compile imports (enum.py, types.py, ...) would be
# imported instead of the standard library's, so take the entry off before
# anything is imported.  (sys is already loaded: importing it imports
# nothing.)
if sys.path[0] == "":
    del sys.path[0]

# Say first which interpreter this is, so that no separate process has to
# be started to find out: u32 length, then its implementation, version,
# magic number, cache tag and executable, NUL-separated (what the probe
# prints).  Only what start-up has loaded is used, and nothing it creates is
# kept.
data = "\0".join([sys.implementation.name, "%d.%d.%d" % sys.version_info[:3],
                  sys.modules["_frozen_importlib_external"].MAGIC_NUMBER.hex(),
                  sys.implementation.cache_tag or "", sys.executable or ""])
data = data.encode("utf-8", "surrogateescape")
sys.stdout.buffer.write(len(data).to_bytes(4, "little") + data)
sys.stdout.buffer.flush()

import py_compile, sys

# The first import is the reference driver's: the order of imports
# changes which strings end up interned.  py_compile imports os,
# importlib._bootstrap_external and importlib.machinery; reach them through
# it, since the dotted name of an import statement here would be a string
# that py_compile's own process does not hold.
os = py_compile.os
importlib = py_compile.importlib

# The first compile() in a process builds the `ast` node classes (well over
# a hundred types), which costs more than compiling a small module.  The
# reference process builds them in its one compile, before it parses the
# source; building them here, once, leaves each forked compile the same
# objects and strings without the cost.
compile(b"", "", "exec")

# What the replaced functions below work on, in the forked child: the name
# and source being compiled, the original functions (kept referenced: if
# they were freed, the strings their code holds could drop to one reference
# and lose their FLAG_REF bit in the compiled code), then the result.
data = []


# The replacements are module-level functions named like the originals:
# nested functions and lambdas would have qualified names (such as
# "_compile.<locals>.<lambda>") that 3.13 interns and py_compile's process
# does not hold.
def get_data(self, path):
    if path is data[0]:
        return data[1]
    return data[2](self, path)


def _calc_mode(path):
    return 0o644


def _write_atomic(path, bytecode, mode=0o666):
    data.append(bytes(bytecode))


def _compile(name, source, optimize):
    """Run py_compile.compile() itself, with its file I/O redirected.

    The source comes from memory (other files, such as the codec modules a
    coding cookie imports, are read as usual) and the bytes that would be
    written are returned instead.  Everything between reading and writing is
    py_compile's own code, so the code object is held and passed exactly as
    it is there: the reference count it has while it is marshalled decides
    its FLAG_REF bit, and that differs between call shapes (notably on 3.14).
    The cfile cannot exist: py_compile checks it is not a symlink, and
    makedirs() of its directory raises the FileExistsError that py_compile
    ignores.
    """
    data[:] = [name, source,
               importlib.machinery.SourceFileLoader.get_data,
               importlib._bootstrap_external._calc_mode,
               importlib._bootstrap_external._write_atomic]
    importlib.machinery.SourceFileLoader.get_data = get_data
    importlib._bootstrap_external._calc_mode = _calc_mode
    importlib._bootstrap_external._write_atomic = _write_atomic
    py_compile.compile(name, cfile="/dev/null/x", dfile=name, doraise=True,
                       optimize=optimize,
                       invalidation_mode=py_compile.PycInvalidationMode.UNCHECKED_HASH)
    return data[-1][16:]


def get_code(name, exc, optimize):
    """Compile a module that raises exc, the exception compiling it raised."""
    import builtins
    cls = type(exc)
    args = exc.args
    if getattr(builtins, cls.__name__, None) is not cls:
        cls, args = SyntaxError, (str(exc),)
    elif isinstance(exc, SyntaxError) and len(args) > 1:
        # The compiler may set the file name on the exception after making
        # its arguments; take it from the attribute.
        args = (args[0], (exc.filename if exc.filename is not None else name,) + tuple(args[1][1:]))
    return _compile(name, ("raise %s(*%r)\n" % (cls.__name__, args)).encode("utf-8", "surrogatepass"), optimize)


def reader(fd, size):
    data = bytearray()
    while len(data) < size:
        chunk = os.read(fd, size - len(data))
        if not chunk:
            return None
        data += chunk
    return bytes(data)


def writer(fd, data):
    data = memoryview(data)
    while data:
        data = data[os.write(fd, data):]


def main():
    while True:
        header = reader(0, 9)
        if header is None:
            return
        size = int.from_bytes(header[1:5], "little")
        data = reader(0, size + int.from_bytes(header[5:9], "little"))
        if data is None:
            return
        r, fd = os.pipe()  # the child's answer comes back on this pipe
        pid = os.fork()
        if pid == 0:
            os.close(r)
            try:
                name = data[:size].decode("utf-8", "surrogateescape")
                optimize = header[0] & 3
                try:
                    data = b"\x00" + _compile(name, data[size:], optimize)
                except Exception as exc:
                    # py_compile wraps what compiling raises, but not what
                    # marshal raises after it (a ValueError for code nested
                    # too deeply): wrap that the same way.
                    if not isinstance(exc, py_compile.PyCompileError):
                        exc = py_compile.PyCompileError(exc.__class__, exc, name)
                    msg = exc.msg.encode("utf-8", "backslashreplace")
                    data = b"\x01" + msg
                    if header[0] & 0x80:
                        data = (b"\x03" + len(msg).to_bytes(4, "little") + msg +
                                get_code(name, exc.exc_value, optimize))
                writer(fd, data)
            finally:
                os._exit(0)
        os.close(fd)
        data = []
        while True:
            chunk = os.read(r, 1 << 16)
            if not chunk:
                break
            data.append(chunk)
        os.close(r)
        code = os.waitpid(pid, 0)[1]
        data = b"".join(data)
        if code or not data:
            data = b"\x02" + str(code).encode()
        writer(1, len(data).to_bytes(4, "little") + data)

# 3.10's type attribute cache holds a reference to each attribute name it
# caches, in a slot chosen from the name's address, so whether a name looked
# up once during start-up is still held (and so flagged by marshal) would
# depend on the address layout.  Empty it once, now: from here on only names
# that other objects hold anyway are looked up.  See
# docs/determinism-cause.md.
if sys.version_info[:2] == (3, 10):
    sys._clear_type_cache()

main()
