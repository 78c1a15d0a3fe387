package dev.replication.transport;

import java.io.IOException;
import okhttp3.Call;
import okhttp3.EventListener;
import okhttp3.Request;
import okhttp3.internal.http2.ErrorCode;
import okhttp3.internal.http2.StreamResetException;

/**
 * Remembers whether a request's headers started going out, so a failed call can be classified:
 * nothing written means the peer's handler certainly never saw it.
 */
final class DeliveryTracker {

    private volatile boolean headersStarted;

    static Request.Builder attachTo(Request.Builder request) {
        return request.tag(DeliveryTracker.class, new DeliveryTracker());
    }

    static boolean mayHaveBeenDelivered(Call call, IOException failure) {
        if (failure instanceof StreamResetException reset && reset.errorCode == ErrorCode.REFUSED_STREAM) {
            return false; // HTTP/2: the server promises it did not process a refused stream
        }
        DeliveryTracker tracker = call.request().tag(DeliveryTracker.class);
        return tracker == null || tracker.headersStarted;
    }

    /** Feeds every tracker from OkHttp's call events. */
    static final class Listener extends EventListener {

        @Override
        public void requestHeadersStart(Call call) {
            DeliveryTracker tracker = call.request().tag(DeliveryTracker.class);
            if (tracker != null) {
                tracker.headersStarted = true;
            }
        }
    }
}
