/** Composition root of the server process (`npm start`, the Docker image): serve, or exit with the reason. */
import { runServer } from './cli/serve.js';

const code = await runServer({ env: process.env, stderr: process.stderr });
if (code !== null) process.exitCode = code;
