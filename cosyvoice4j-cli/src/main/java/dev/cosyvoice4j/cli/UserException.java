package dev.cosyvoice4j.cli;

/** A failure caused by what the user asked for; printed as one line without a stack trace. */
public class UserException extends RuntimeException {
    public UserException(String message) { super(message); }
}
