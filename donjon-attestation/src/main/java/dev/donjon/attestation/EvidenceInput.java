package dev.donjon.attestation;

/** Evidence as received: which TEE it claims to come from, how it is packaged, and the bytes (already decoded from hex/base64). */
public record EvidenceInput(Tee tee, Container container, byte[] evidence, Endorsements endorsements) {}
