export { slug } from '../../../shared/ids';
