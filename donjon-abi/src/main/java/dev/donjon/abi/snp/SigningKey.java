package dev.donjon.abi.snp;

/** Which AMD key signed a report (KEY_INFO bits 2-4): the chip-unique VCEK or the cloud-provider VLEK. */
public enum SigningKey {
    VCEK,
    VLEK
}
