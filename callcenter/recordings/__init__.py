"""Call recordings (issue 16): their state on the call record, playback for supervisors and
deletion past the queue's retention."""
