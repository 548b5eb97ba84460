"""An Asterisk emulator on loopback: the FastAGI client and AMI server sides of Asterisk.

Tests and ``callgrid call`` drive the engine's real network code with it; its lines
match the transcripts captured from Asterisk 22.10.1.
"""
