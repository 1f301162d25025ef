// Starts the fauxqs SQS emulator on 127.0.0.1 only (its own CLI binds 0.0.0.0) and prints
// "READY <port>" once it listens. Usage: node fauxqs-server.mjs <node_modules dir> <port>
// Only the SQS part is used by the tests (S3 comes from s3rver, which verifies SigV4).
import { pathToFileURL } from "node:url";
import path from "node:path";

const [modulesDir, portArg] = process.argv.slice(2);
const entry = pathToFileURL(path.join(modulesDir, "fauxqs", "dist", "app.js")).href;
const { buildApp } = await import(entry);
const app = buildApp({ logger: false, host: "127.0.0.1" });
const address = await app.listen({ port: Number(portArg ?? 0), host: "127.0.0.1" });
console.log(`READY ${new URL(address).port}`);
const stop = async () => { await app.close(); process.exit(0); };
process.on("SIGTERM", stop);
process.on("SIGINT", stop);
