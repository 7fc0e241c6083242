# The compile server that rules_pyc runs inside each CPython child.
#
# It is started as `python -S -s -B -c <this text>` in a clean environment
# with PYTHONHASHSEED=0, and imports py_compile, so that its interpreter state
# is the state of a fresh process that is about to call py_compile.compile().
# It never compiles anything itself: for each request it forks, and the forked
# child runs py_compile.compile() on the source (reading it from memory and
# handing back the bytes instead of writing a file), then exits.  Every compile
# therefore starts from the same pristine state, and marshal's reference flags
# (which follow reference counts and interned strings) cannot depend on what was
# compiled before.
#
# Protocol, on file descriptors 0 (requests) and 1 (responses), little-endian:
#   request:  u8 optimize, u32 len(name), u32 len(source), name (UTF-8,
#             surrogateescape), source bytes
#   response: u32 len(payload), u8 status, payload
#     status 0: payload is marshal.dumps(code), as py_compile writes it
#     status 1: payload is py_compile's error message (UTF-8)
#     status 2: payload is the child's wait status (decimal); it died
#
# Names in this file are kept few and simple: anything the parent interns
# stays interned in every forked child.
import os
import py_compile
import importlib._bootstrap_external
import importlib.machinery

# A path that cannot exist: py_compile checks it is not a symlink, and
# makedirs() of its directory raises the FileExistsError it ignores.
_CFILE = "/dev/null/rules_pyc.pyc"


def _compile(name, source, optimize):
    """Run py_compile.compile() itself, with its file I/O redirected.

    The source comes from memory and the bytes that would be written are
    returned instead.  Everything between reading and writing is py_compile's
    own code, so the code object is held and passed exactly as it is there:
    the reference count it has while it is marshalled decides its FLAG_REF
    bit, and that differs between call shapes (notably on 3.14).
    """
    result = []
    importlib.machinery.SourceFileLoader.get_data = lambda self, path: source
    importlib._bootstrap_external._calc_mode = lambda path: 0o644
    importlib._bootstrap_external._write_atomic = (
        lambda path, data, mode=0o666: result.append(bytes(data)))
    py_compile.compile(name, cfile=_CFILE, dfile=name, doraise=True,
                       optimize=optimize,
                       invalidation_mode=py_compile.PycInvalidationMode.UNCHECKED_HASH)
    return result[0][16:]


def _serve():
    read = os.read
    write = os.write
    fork = os.fork

    def readn(fd, n):
        buf = bytearray()
        while len(buf) < n:
            chunk = read(fd, n - len(buf))
            if not chunk:
                return None
            buf += chunk
        return bytes(buf)

    def writeall(fd, data):
        view = memoryview(data)
        while view:
            view = view[write(fd, view):]

    while True:
        head = readn(0, 9)
        if head is None:
            return
        size = int.from_bytes(head[1:5], "little")
        body = readn(0, size + int.from_bytes(head[5:9], "little"))
        if body is None:
            return
        rfd, wfd = os.pipe()
        pid = fork()
        if pid == 0:
            os.close(rfd)
            try:
                name = body[:size].decode("utf-8", "surrogateescape")
                try:
                    out = b"\x00" + _compile(name, body[size:], head[0])
                except py_compile.PyCompileError as exc:
                    out = b"\x01" + exc.msg.encode("utf-8", "backslashreplace")
                writeall(wfd, out)
            finally:
                os._exit(0)
        os.close(wfd)
        chunks = []
        while True:
            chunk = read(rfd, 1 << 16)
            if not chunk:
                break
            chunks.append(chunk)
        os.close(rfd)
        status = os.waitpid(pid, 0)[1]
        out = b"".join(chunks)
        if status or not out:
            out = b"\x02" + str(status).encode()
        writeall(1, len(out).to_bytes(4, "little") + out)


_serve()
