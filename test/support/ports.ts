/** Ports on loopback for the tests that run a real server (moto_server, HAProxy, stub backends). */
import * as net from "node:net";

/** A port nothing listens on now (the kernel's choice, released for the caller). */
export function freePort(): Promise<number> {
    return new Promise((resolve, reject) => {
        const server = net.createServer();
        server.once("error", reject);
        server.listen(0, "127.0.0.1", () => {
            const { port } = server.address() as net.AddressInfo;
            server.close(() => resolve(port));
        });
    });
}
