#!/usr/bin/env node
import { endOnStopSignalsAsPid1 } from '../dist/pid1-signals.js';

// First, so that a SIGTERM to a container's PID 1 is not lost while the CLI loads.
endOnStopSignalsAsPid1();
const { execute } = await import('@oclif/core');
await execute({ dir: import.meta.url });
