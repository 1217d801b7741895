#!/usr/bin/env node
import '../dist/bin/sandbox.js';
