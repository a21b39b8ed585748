/*
 * bcryptprimitives.dll for Wine 8.0, test-only (cmd/pbprobe/wine_test.go).
 *
 * Go >= 1.22 programs load bcryptprimitives.dll and call ProcessPrng at
 * start-up; Debian's Wine 8.0 has no such DLL, so every Go program dies
 * with "bcryptprimitives.dll not found". This one answers ProcessPrng from
 * advapi32's RtlGenRandom (SystemFunction036), which Wine has.
 *
 * With PBPROBE_WINE_NETRESET=1 in the environment it also works around
 * Wine's missing SIO_UDP_NETRESET: Go's net package sets that ioctl on
 * every UDP socket and gives up on the socket when it fails (wsaioctl:
 * winapi error #10045), so no UDP works under Wine 8.0. Go resolves
 * ws2_32!WSAIoctl through the GetProcAddress entry of the program's own
 * import table; DllMain points that entry at a wrapper that hands out a
 * WSAIoctl which reports success for SIO_UDP_NETRESET when Wine answers
 * WSAEOPNOTSUPP, and passes everything else through unchanged. Without the
 * variable nothing is patched and the program sees Wine as it is.
 *
 * Build: x86_64-w64-mingw32-gcc -shared -O2 -o bcryptprimitives.dll
 *        bcryptprimitives.c bcryptprimitives.def -ladvapi32
 */
#include <winsock2.h>
#include <windows.h>
#include <mswsock.h>

#ifndef SIO_UDP_NETRESET
#define SIO_UDP_NETRESET _WSAIOW(IOC_VENDOR, 15)
#endif

BOOLEAN WINAPI SystemFunction036(PVOID buffer, ULONG length);

BOOL WINAPI ProcessPrng(PBYTE data, SIZE_T len)
{
    while (len > 0) {
        ULONG n = len > 0x10000000 ? 0x10000000 : (ULONG)len;
        if (!SystemFunction036(data, n))
            return FALSE;
        data += n;
        len -= n;
    }
    return TRUE;
}

typedef int(WINAPI *wsaioctl_fn)(SOCKET, DWORD, LPVOID, DWORD, LPVOID, DWORD,
                                 LPDWORD, LPWSAOVERLAPPED,
                                 LPWSAOVERLAPPED_COMPLETION_ROUTINE);
typedef FARPROC(WINAPI *getprocaddress_fn)(HMODULE, LPCSTR);

static wsaioctl_fn real_wsaioctl;
static getprocaddress_fn real_getprocaddress;

static int WINAPI shim_wsaioctl(SOCKET s, DWORD code, LPVOID in, DWORD inlen,
                                LPVOID out, DWORD outlen, LPDWORD ret,
                                LPWSAOVERLAPPED ov,
                                LPWSAOVERLAPPED_COMPLETION_ROUTINE done)
{
    int r = real_wsaioctl(s, code, in, inlen, out, outlen, ret, ov, done);
    if (r == SOCKET_ERROR && code == SIO_UDP_NETRESET &&
        GetLastError() == WSAEOPNOTSUPP) {
        if (ret)
            *ret = 0;
        SetLastError(0);
        return 0;
    }
    return r;
}

static FARPROC WINAPI shim_getprocaddress(HMODULE mod, LPCSTR name)
{
    FARPROC p = real_getprocaddress(mod, name);
    if (p && HIWORD((ULONG_PTR)name) && lstrcmpA(name, "WSAIoctl") == 0 &&
        mod == GetModuleHandleA("ws2_32.dll")) {
        real_wsaioctl = (wsaioctl_fn)p;
        return (FARPROC)shim_wsaioctl;
    }
    return p;
}

/* patch points every import-table slot of the program that holds
 * kernel32!GetProcAddress at shim_getprocaddress. */
static void patch(void)
{
    BYTE *base = (BYTE *)GetModuleHandleA(NULL);
    IMAGE_NT_HEADERS *nt =
        (IMAGE_NT_HEADERS *)(base + ((IMAGE_DOS_HEADER *)base)->e_lfanew);
    IMAGE_DATA_DIRECTORY dir =
        nt->OptionalHeader.DataDirectory[IMAGE_DIRECTORY_ENTRY_IMPORT];
    IMAGE_IMPORT_DESCRIPTOR *d;

    real_getprocaddress = (getprocaddress_fn)GetProcAddress(
        GetModuleHandleA("kernel32.dll"), "GetProcAddress");
    if (!real_getprocaddress || !dir.VirtualAddress)
        return;
    for (d = (IMAGE_IMPORT_DESCRIPTOR *)(base + dir.VirtualAddress); d->Name; d++) {
        ULONG_PTR *slot = (ULONG_PTR *)(base + d->FirstThunk);
        for (; *slot; slot++) {
            DWORD old;
            if (*slot != (ULONG_PTR)real_getprocaddress)
                continue;
            if (VirtualProtect(slot, sizeof *slot, PAGE_READWRITE, &old)) {
                *slot = (ULONG_PTR)shim_getprocaddress;
                VirtualProtect(slot, sizeof *slot, old, &old);
            }
        }
    }
}

BOOL WINAPI DllMain(HINSTANCE inst, DWORD reason, LPVOID reserved)
{
    char v[4];
    (void)inst;
    (void)reserved;
    if (reason == DLL_PROCESS_ATTACH &&
        GetEnvironmentVariableA("PBPROBE_WINE_NETRESET", v, sizeof v) == 1 &&
        v[0] == '1')
        patch();
    return TRUE;
}
