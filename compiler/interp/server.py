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
#   request:  u8 flags (bits 0-1: optimize level; bit 7: stub on error),
#             u32 len(name), u32 len(source), name (UTF-8, surrogateescape),
#             source bytes
#   response: u32 len(payload), u8 status, payload
#     status 0: payload is marshal.dumps(code), as py_compile writes it
#     status 1: payload is py_compile's error message (UTF-8)
#     status 2: payload is the child's wait status (decimal); it died
#     status 3: payload is u32 len(message), py_compile's error message, then
#               the marshalled code of a stub module that raises the same
#               exception (only when the request asked for it)
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


def _stub(name, err, optimize):
    """Compile a module that raises err, the exception compiling it raised."""
    import builtins
    kind = type(err)
    if getattr(builtins, kind.__name__, None) is not kind:
        kind, args = SyntaxError, (str(err),)
    elif isinstance(err, SyntaxError) and len(err.args) > 1:
        # The arguments the compiler gave may lack the file name it set on
        # the exception afterwards; rebuild them from the attributes.
        where = (err.filename if err.filename is not None else name,
                 err.lineno, err.offset, err.text)
        if hasattr(err, "end_lineno"):
            where += (err.end_lineno, err.end_offset)
        args = (err.msg, where)
    else:
        args = err.args
    source = ("raise %s(*%r)\n" % (kind.__name__, args)).encode("utf-8", "surrogatepass")
    return _compile(name, source, optimize)


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
                optimize = head[0] & 3
                try:
                    out = b"\x00" + _compile(name, body[size:], optimize)
                except py_compile.PyCompileError as exc:
                    msg = exc.msg.encode("utf-8", "backslashreplace")
                    out = b"\x01" + msg
                    if head[0] & 0x80:
                        stub = _stub(name, exc.exc_value, optimize)
                        out = (b"\x03" + len(msg).to_bytes(4, "little") +
                               msg + stub)
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
