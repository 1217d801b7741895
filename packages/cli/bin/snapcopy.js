#!/usr/bin/env node
import '../dist/bin/snapcopy.js';
