package io.jqcow.block;

import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;

/** Counts a node's calls in progress so close can refuse new ones and wait for the rest. */
final class RequestGate {
    private final ReentrantLock lock = new ReentrantLock();
    private final Condition idle = lock.newCondition();
    private final String name;
    private int active;
    private boolean closed;

    RequestGate(String name) {
        this.name = name;
    }

    void enter() throws BlockException {
        lock.lock();
        try {
            if (closed) {
                throw new BlockException(Errno.EBADF, "node '" + name + "' is closed");
            }
            active++;
        } finally {
            lock.unlock();
        }
    }

    void exit() {
        lock.lock();
        try {
            if (--active == 0) {
                idle.signalAll();
            }
        } finally {
            lock.unlock();
        }
    }

    /** Closes the gate; returns false if it was closed already. Waits until no call is active. */
    boolean closeAndDrain() {
        lock.lock();
        try {
            if (closed) {
                return false;
            }
            closed = true;
            boolean interrupted = false;
            while (active > 0) {
                try {
                    idle.await();
                } catch (InterruptedException e) {
                    interrupted = true; // closing must finish; keep waiting, restore the flag after
                }
            }
            if (interrupted) {
                Thread.currentThread().interrupt();
            }
            return true;
        } finally {
            lock.unlock();
        }
    }
}
