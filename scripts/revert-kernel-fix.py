"""Puts one of issue 7's defects 1-6 back into the kernel, to show that the tests catch it (the reverted-fix table in
docs/concurrency-testing.md). Usage: scripts/revert-kernel-fix.py N, run the tests, then
`git checkout batcher-core/src/main/java/dev/batcher/kernel/` to restore the fix. Never commit its result."""
import sys, re
import os
K=os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "batcher-core/src/main/java/dev/batcher/kernel/")
n=int(sys.argv[1])
def edit(f, old, new):
    p=K+f; s=open(p).read()
    assert old in s, (f, old)
    open(p,'w').write(s.replace(old,new,1))
if n==1:   # drain announced as soon as counted, not after the queued settlements
    edit('Kernel.java', """        isDrained = true;
        work.signalAll();""", """        isDrained = true;
        drained.complete(null);
        work.signalAll();""")
elif n==2: # a claim ignores the close bit: a woken blocked producer appends into a stopped buffer
    edit('IntakeRing.java', """            p = producerIndex;
            if (p < 0) {
                giveBackBytes(itemBytes);
                return CLOSED;
            }""", """            p = producerIndex & ~CLOSED_BIT;""")
    edit('IntakeRing.java', "while (!PRODUCER_INDEX.compareAndSet(this, p, p + 1));", "while (!PRODUCER_INDEX.compareAndSet(this, producerIndex, (producerIndex & CLOSED_BIT) | (p + 1)));")
elif n==3: # a throwing gate escapes the sender loop
    edit('Kernel.java', """            if (!awaitPermits(batch, attemptNo)) {
                return null;
            }
        }
        catch (Throwable ex) {
            error = ex;
        }""", """            if (!awaitPermits(batch, attemptNo)) {
                return null;
            }
        }
        catch (RuntimeException ex) {
            throw ex;
        }""")
    edit('Kernel.java', """            catch (Throwable ex) {
                // Nothing may end a sender loop""", """            catch (Error ex) {
                // Nothing may end a sender loop""")
elif n==4: # the late return of an abandoned attempt settles the current one
    edit('PendingBatch.java', """        return STAMP.compareAndSet(this, ((long) attemptNo << 2) | SENDING, ((long) attemptNo << 2) | DONE);""",
         """        long s = stamp;
        return (s & 3) == SENDING && STAMP.compareAndSet(this, s, (s & ~3L) | DONE);""")
elif n==5: # a timed-out send gets a replacement thread
    edit('Kernel.java', """                if (batch.abandon(attempt, true) == PendingBatch.SENDING) {
                    abandonedSends++;""", """                if (batch.abandon(attempt, true) == PendingBatch.SENDING) {
                    abandonedSends++;
                    threads.startSender(this::runSender);""")
elif n==6: # futures completed on the sender thread, after the next batch was leased
    edit('Kernel.java', """            releaseLane(batch.lane);
            return tryLease();
        }
        finally {
            lock.unlock();
        }""", """            releaseLane(batch.lane);
            PendingBatch<T, R> next = tryLease();
            lock.unlock();
            batch.completeSent(results);
            lock.lock();
            return next;
        }
        finally {
            lock.unlock();
        }""")
    edit('Kernel.java', """            if (batch.hasFutures() || batch.barriers != null) {""", """            if (batch.barriers != null) {""")
print('reverted', n)
