// Entry for the embedded process, which mounts this service next to the others.
export { SharingModule } from './sharing.module';
